using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>The parameters served from the resource row itself rather than index rows: <c>_id</c>, <c>_lastUpdated</c>, <c>_type</c>.</summary>
internal static class ResourceColumnQueryBuilder
{
    public static bool Handles(string code) => code is "_id" or "_lastUpdated";

    public static Expression<Func<ResourceEntity, bool>> Build(string code, string name, IReadOnlyList<string> values, DateTime now)
    {
        if (code == "_id")
        {
            var ids = values.Select(SearchValueSyntax.Unescape).ToList();
            return r => ids.Contains(r.ResourceId);
        }

        return PredicateComposition.Or(values.Select(raw => DateQueryBuilder.Match<ResourceEntity>(raw, name, r => r.LastUpdatedTicks, r => r.LastUpdatedTicks, now)));
    }

    /// <summary>System-level <c>_type</c>: any of the listed resource types.</summary>
    public static Expression<Func<ResourceEntity, bool>> BuildType(string name, IReadOnlyList<string> values)
    {
        var types = values.Select(SearchValueSyntax.Unescape).ToList();
        foreach (var type in types.Where(t => !SearchParameterRegistry.IsResourceType(t)))
        {
            throw new BadRequestException($"'{type}' in '{name}' is not a resource type this server stores.", name);
        }

        return r => types.Contains(r.ResourceType);
    }
}
