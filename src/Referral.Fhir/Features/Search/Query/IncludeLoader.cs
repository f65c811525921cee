using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Loads _include and _revinclude resources for a page by following reference index rows in SQL; <c>:iterate</c>
/// specs are applied again to what was just included, up to <see cref="MaxLevels"/> hops from the matches. Only
/// resources within the caller's read scope are included.
/// </summary>
internal static class IncludeLoader
{
    public const int MaxLevels = 3;

    public static async Task<IReadOnlyList<ResourceEntity>> LoadAsync(
        FhirDbContext db, IReadOnlyList<ResourceEntity> matches, IReadOnlyList<IncludeSpec> specs, Expression<Func<ResourceEntity, bool>>? scope, CancellationToken ct)
    {
        var included = new List<ResourceEntity>();
        if (specs.Count == 0 || matches.Count == 0)
        {
            return included;
        }

        var seen = matches.Select(m => m.Sid).ToHashSet();
        IReadOnlyList<ResourceEntity> frontier = matches;
        for (var level = 0; level < MaxLevels && frontier.Count > 0; level++)
        {
            var found = new List<ResourceEntity>();
            foreach (var spec in specs.Where(s => level == 0 || s.Iterate))
            {
                var frontierSids = frontier.Select(f => f.Sid).ToList();
                var query = (spec.Reverse ? Referencing(db, spec, frontierSids) : ReferencedBy(db, spec, frontierSids)).Within(scope);
                foreach (var resource in await query.OrderBy(r => r.Sid).ToListAsync(ct))
                {
                    if (seen.Add(resource.Sid))
                    {
                        found.Add(resource);
                    }
                }
            }

            included.AddRange(found);
            frontier = found;
        }

        return included;
    }

    private static IQueryable<ResourceEntity> Current(FhirDbContext db) =>
        db.Resources.AsNoTracking().Where(r => !r.IsHistory && !r.IsDeleted);

    /// <summary>_include: the targets of the frontier's references.</summary>
    private static IQueryable<ResourceEntity> ReferencedBy(FhirDbContext db, IncludeSpec spec, List<long> frontierSids)
    {
        var references = Rows(db, spec).Where(i => frontierSids.Contains(i.Sid));
        return Current(db).Where(r => references.Any(i => i.TargetType == r.ResourceType && i.TargetId == r.ResourceId));
    }

    /// <summary>_revinclude: resources whose references point at the frontier.</summary>
    private static IQueryable<ResourceEntity> Referencing(FhirDbContext db, IncludeSpec spec, List<long> frontierSids)
    {
        var frontier = Current(db).Where(f => frontierSids.Contains(f.Sid));
        var references = Rows(db, spec).Where(i => frontier.Any(f => f.ResourceType == i.TargetType && f.ResourceId == i.TargetId));
        return Current(db).Where(r => references.Any(i => i.Sid == r.Sid));
    }

    private static IQueryable<ReferenceIndexEntity> Rows(FhirDbContext db, IncludeSpec spec)
    {
        var rows = db.ReferenceIndices.AsNoTracking();
        if (spec.SourceType != IncludeSpec.Any)
        {
            var source = spec.SourceType;
            rows = rows.Where(i => i.ResourceType == source);
        }

        if (spec.Param != IncludeSpec.Any)
        {
            var param = spec.Param;
            rows = rows.Where(i => i.Param == param);
        }

        if (spec.TargetType is { } target)
        {
            rows = rows.Where(i => i.TargetType == target);
        }

        return rows;
    }
}
