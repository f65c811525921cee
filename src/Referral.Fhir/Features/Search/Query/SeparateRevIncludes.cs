using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// <c>_revinclude</c> of a separately stored type (<c>_revinclude=AuditEvent:patient</c>): its resources that reference
/// the matches (and, under <c>:iterate</c>, what was included from the store too). Left out entirely for a caller who
/// may not read the type, as the store's scope leaves out what a caller may not see. <c>_revinclude=*</c> covers the
/// FHIR store's types only: it would pull in every access to every match.
/// </summary>
internal static class SeparateRevIncludes
{
    public static bool Handles(IncludeSpec spec, IReadOnlyCollection<ISeparateResourceStore> stores) =>
        spec.Reverse && stores.Any(s => s.ResourceType == spec.SourceType);

    public static async Task<IReadOnlyList<ResourceEntity>> LoadAsync(
        IReadOnlyList<ResourceEntity> matches, IReadOnlyList<ResourceEntity> included, IReadOnlyList<IncludeSpec> specs,
        IReadOnlyCollection<ISeparateResourceStore> stores, IFhirAccessPolicy access, CancellationToken ct)
    {
        var found = new List<ResourceEntity>();
        if (matches.Count == 0)
        {
            return found;
        }

        var seen = new HashSet<(string, string)>();
        foreach (var spec in specs.Where(s => Handles(s, stores)))
        {
            var store = stores.First(s => s.ResourceType == spec.SourceType);
            if (!access.Allows(FhirInteraction.Read, store.ResourceType))
            {
                continue;
            }

            var targets = (spec.Iterate ? matches.Concat(included) : matches)
                .Where(t => spec.TargetType is null || t.ResourceType == spec.TargetType)
                .Select(t => $"{t.ResourceType}/{t.ResourceId}")
                .ToHashSet(StringComparer.Ordinal);
            if (targets.Count == 0)
            {
                continue;
            }

            found.AddRange((await store.ReferencingAsync(spec.Param, targets, ct)).Where(r => seen.Add((r.ResourceType, r.ResourceId))));
        }

        return found;
    }
}
