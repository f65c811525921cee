using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Search;
using Referral.Persistence;

namespace Referral.Identity.Access;

/// <summary>
/// The access policy of an authenticated caller: its roles and SMART scopes decide which interactions it may use on
/// which types (403 otherwise), and its organisation decides which patients' data it sees and writes
/// (<see cref="CompartmentScope"/>; anything else is answered as unknown).
/// </summary>
public sealed class OrganizationAccessPolicy(FhirCaller caller, NodeOptions node) : IFhirAccessPolicy
{
    private Expression<Func<ResourceEntity, bool>>? _readScope;
    private Expression<Func<ResourceEntity, bool>>? _writeScope;
    private string? _readScopeKey;

    public FhirCaller Caller => caller;

    public void Demand(FhirInteraction interaction, string? resourceType)
    {
        if (resourceType == "AuditEvent" && interaction is FhirInteraction.Create or FhirInteraction.Update or FhirInteraction.Delete)
        {
            throw new MethodNotAllowedException("AuditEvents are written by the node itself; they cannot be created, changed or deleted through the API.");
        }

        var allowed = resourceType is null
            ? SearchParameterRegistry.ResourceTypes.Any(t => Allows(interaction, t))
            : Allows(interaction, resourceType);
        if (!allowed)
        {
            var roles = caller.Roles.Count == 0 ? "no role" : $"role {string.Join(", ", caller.Roles)}";
            throw new ForbiddenException(
                $"Your {roles} and token scopes do not allow {interaction.ToString().ToLowerInvariant()} on {resourceType ?? "all resource types"}.");
        }
    }

    public bool Allows(FhirInteraction interaction, string resourceType) =>
        caller.PermissionsOn(resourceType).HasFlag(Permissions.NeededFor(interaction));

    public Expression<Func<ResourceEntity, bool>>? ReadScope(FhirDbContext db) =>
        _readScope ??= Reuse(db, "read", () =>
        {
            var visible = CompartmentScope.Visible(db, caller.OrganizationId, IsHome, CompartmentScope.ClosedForReading, ConfinedPatient);
            return ReadableTypes() is { } types ? And(TypeIn(types), visible) : visible;
        });

    public Expression<Func<ResourceEntity, bool>>? WriteScope(FhirDbContext db) =>
        _writeScope ??= Reuse(db, "write", () => CompartmentScope.Visible(db, caller.OrganizationId, IsHome, CompartmentScope.ClosedForWriting, ConfinedPatient));

    /// <summary>
    /// The filter built earlier on this context for callers with the same scope key, else a new one. Building it walks
    /// and rewrites a large expression, a tenth of a search's work; a filter captures the context's DbSets, so it is
    /// kept per (pooled, long-lived) context, never shared between contexts. A patient-confined caller has no key.
    /// </summary>
    private Expression<Func<ResourceEntity, bool>> Reuse(FhirDbContext db, string purpose, Func<Expression<Func<ResourceEntity, bool>>> build) =>
        ReadScopeKey is { } key ? BuiltScopes.GetOrCreateValue(db).GetOrAdd((purpose, key), _ => build()) : build();

    private static readonly ConditionalWeakTable<FhirDbContext, ConcurrentDictionary<(string Purpose, string Key), Expression<Func<ResourceEntity, bool>>>> BuiltScopes = new();

    /// <summary>
    /// The organisation, and the roles and scopes that decide the readable types; none for a patient-context token,
    /// whose scope names one patient (compiling a query per patient would only fill the cache).
    /// </summary>
    public string? ReadScopeKey => ConfinedPatient is null ? _readScopeKey ??= (IsHome ? "home\n" : "partner\n") + caller.ReadScopeKey : null;

    private bool IsHome => caller.Organization == node.Organization;

    private string? ConfinedPatient => caller.ConfinedToPatient
        ? caller.Patient is { } patient && patient.StartsWith("Patient/", StringComparison.Ordinal) ? patient["Patient/".Length..] : caller.Patient ?? ""
        : null;

    /// <summary>The types the caller may read or search, so system-level queries and _include skip the rest; null when all.</summary>
    private string[]? ReadableTypes()
    {
        var readable = SearchParameterRegistry.ResourceTypes.Where(t => (caller.PermissionsOn(t) & (Permission.Read | Permission.Search)) != 0).ToArray();
        return readable.Length == SearchParameterRegistry.ResourceTypes.Count ? null : readable;
    }

    private static Expression<Func<ResourceEntity, bool>> TypeIn(string[] types)
    {
        var resource = Expression.Parameter(typeof(ResourceEntity), "r");
        var inList = LiteralIn.Of(types);
        var body = new ParameterReplacer(inList.Parameters[0], Expression.Property(resource, nameof(ResourceEntity.ResourceType))).Visit(inList.Body);
        return Expression.Lambda<Func<ResourceEntity, bool>>(body, resource);
    }

    private static Expression<Func<ResourceEntity, bool>> And(Expression<Func<ResourceEntity, bool>> first, Expression<Func<ResourceEntity, bool>> second)
    {
        var body = new ParameterReplacer(second.Parameters[0], first.Parameters[0]).Visit(second.Body);
        return Expression.Lambda<Func<ResourceEntity, bool>>(Expression.AndAlso(first.Body, body), first.Parameters[0]);
    }
}
