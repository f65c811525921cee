using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// What the caller of the current request may do and see. The store, search, history and operations consult it, so a
/// transaction Bundle entry is checked exactly like the same request on its own.
/// </summary>
public interface IFhirAccessPolicy
{
    /// <summary>Throws <see cref="Errors.ForbiddenException"/> when the caller may not do <paramref name="interaction"/> on <paramref name="resourceType"/> (null: across all types).</summary>
    void Demand(FhirInteraction interaction, string? resourceType);

    /// <summary>
    /// Whether <see cref="Demand"/> would let the caller do <paramref name="interaction"/> on <paramref name="resourceType"/>:
    /// for results that quietly leave out what the caller may not see (another type's <c>_revinclude</c>, system history).
    /// </summary>
    bool Allows(FhirInteraction interaction, string resourceType);

    /// <summary>
    /// A filter on current resource rows leaving those the caller may see (read, search, includes, counts), or null
    /// when nothing is hidden. Rows it removes are answered as if they did not exist.
    /// </summary>
    Expression<Func<ResourceEntity, bool>>? ReadScope(FhirDbContext db);

    /// <summary>The current rows the caller may change, and every row it writes must fall in after the write; null when unrestricted.</summary>
    Expression<Func<ResourceEntity, bool>>? WriteScope(FhirDbContext db);

    /// <summary>
    /// Names what <see cref="ReadScope"/> and <see cref="WriteScope"/> depend on: two policies with the same key have the
    /// same scopes, so a query written with one serves the other (<see cref="ScopedReads"/>). Null when the scopes should
    /// not be reused.
    /// </summary>
    string? ReadScopeKey { get; }
}

/// <summary>
/// No restriction: the node's own background work (no HTTP caller), and a node run with authentication switched off
/// (benchmark baselines only).
/// </summary>
public sealed class UnrestrictedAccessPolicy : IFhirAccessPolicy
{
    public static readonly UnrestrictedAccessPolicy Instance = new();

    public void Demand(FhirInteraction interaction, string? resourceType)
    {
    }

    public bool Allows(FhirInteraction interaction, string resourceType) => true;

    public Expression<Func<ResourceEntity, bool>>? ReadScope(FhirDbContext db) => null;

    public Expression<Func<ResourceEntity, bool>>? WriteScope(FhirDbContext db) => null;

    public string? ReadScopeKey => "unrestricted";
}
