using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// Read by id through EF Core compiled queries, one per read scope (<see cref="IFhirAccessPolicy.ReadScopeKey"/>) and
/// resource type. The organisation filter is a large expression: run as ordinary LINQ, EF walks and hashes the whole
/// tree on every request before it finds its cached SQL, which cost more than the database's own work. A compiled query
/// skips that, the scope is built once per key instead of once per request, and each type's query carries only the
/// part of the scope that can hold for that type (<see cref="TypeSpecificScope"/>).
/// </summary>
public static class ScopedReads
{
    /// <summary>Read scopes times resource types seen; beyond this reads fall back to ordinary LINQ.</summary>
    private const int MaxCompiled = 1024;

    /// <summary>Per EF model as well: a query compiled for SQLite must not run on PostgreSQL (tests host both in one process).</summary>
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<(string Scope, string Type), Func<FhirDbContext, string, CancellationToken, Task<ResourceEntity?>>>> ByModel = [];

    /// <summary>The current version (possibly a tombstone) of type/id if the caller may see it; null otherwise.</summary>
    public static Task<ResourceEntity?> FindCurrentAsync(FhirDbContext db, IFhirAccessPolicy access, string type, string id, CancellationToken ct)
    {
        var compiled = ByModel.GetValue(db.Model, _ => new());
        if (access.ReadScopeKey is { } key && (compiled.TryGetValue((key, type), out var read) || compiled.Count < MaxCompiled))
        {
            read ??= compiled.GetOrAdd((key, type), _ => Compile(access.ReadScope(db), type));
            return read(db, id, ct);
        }

        return db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory)
            .Within(access.ReadScope(db))
            .FirstOrDefaultAsync(ct);
    }

    private static Func<FhirDbContext, string, CancellationToken, Task<ResourceEntity?>> Compile(Expression<Func<ResourceEntity, bool>>? scope, string type)
    {
        Expression<Func<FhirDbContext, string, CancellationToken, ResourceEntity?>> current = (db, id, ct) =>
            db.Resources.AsNoTracking().Where(r => r.ResourceType == TypePlaceholder && r.ResourceId == id && !r.IsHistory).Where(Placeholder).FirstOrDefault();
        var withScope = (Expression<Func<FhirDbContext, string, CancellationToken, ResourceEntity?>>)new PlaceholderReplacer(
            TypeSpecificScope.For(scope ?? (_ => true), type), type).Visit(current);
        // The scope was built on the request's context; a compiled query runs on whichever context it is given.
        var query = (Expression<Func<FhirDbContext, string, CancellationToken, ResourceEntity?>>)new ContextRebinder(withScope.Parameters[0]).Visit(withScope);
        return EF.CompileAsyncQuery(query);
    }

    /// <summary>Marks where the resource type goes in the template above; replaced by the type as a literal.</summary>
    private static string TypePlaceholder => "";

    /// <summary>Marks where the scope goes in the template above; replaced by the scope's own tree before compiling.</summary>
    private static Expression<Func<ResourceEntity, bool>> Placeholder => _ => true;

    private sealed class PlaceholderReplacer(Expression<Func<ResourceEntity, bool>> scope, string type) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Member.DeclaringType != typeof(ScopedReads) ? base.VisitMember(node)
            : node.Member.Name == nameof(Placeholder) ? Expression.Quote(scope)
            : node.Member.Name == nameof(TypePlaceholder) ? Expression.Constant(type, typeof(string))
            : base.VisitMember(node);
    }
}
