using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>Applies an <see cref="IFhirAccessPolicy"/> scope to queries over current rows and over versions.</summary>
public static class ScopedQueries
{
    /// <summary>Current rows narrowed to <paramref name="scope"/> (unchanged when it is null).</summary>
    public static IQueryable<ResourceEntity> Within(this IQueryable<ResourceEntity> rows, Expression<Func<ResourceEntity, bool>>? scope) =>
        scope is null ? rows : rows.Where(scope);

    /// <summary>
    /// Versions (current or history) whose resource the scope lets the caller see now: index rows exist only for
    /// current versions, so a past version is as visible as its resource's current one (a tombstone keeps the rows
    /// that say whose record it was, see <see cref="Persistence.ResourceStore.StageDeleteAsync"/>).
    /// </summary>
    public static IQueryable<ResourceEntity> VersionsWithin(this IQueryable<ResourceEntity> versions, FhirDbContext db, Expression<Func<ResourceEntity, bool>>? scope)
    {
        if (scope is null)
        {
            return versions;
        }

        var visibleCurrent = db.Resources.Where(c => !c.IsHistory).Where(scope);
        return versions.Where(v => visibleCurrent.Any(c => c.ResourceType == v.ResourceType && c.ResourceId == v.ResourceId));
    }
}
