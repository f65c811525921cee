using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// System-level search whose <c>_type</c> names a separately stored type (<c>GET [base]?_type=AuditEvent</c>): answered
/// by that type's own search, so it behaves as <c>GET [base]/AuditEvent</c> does (including its 403 for callers who may
/// not search it). Its store cannot be paged and sorted together with the FHIR store, so such a type is searched alone.
/// </summary>
internal static class SeparateTypeSearch
{
    public static ISeparateResourceStore? Target(IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyCollection<ISeparateResourceStore> stores, IFhirAccessPolicy access)
    {
        if (stores.Count == 0)
        {
            return null;
        }

        var types = parameters.Where(p => p.Key.Trim() == "_type")
            .SelectMany(p => SearchValueSyntax.Split(p.Value.Trim(), ','))
            .Select(SearchValueSyntax.Unescape)
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var separate = stores.Where(s => types.Contains(s.ResourceType, StringComparer.Ordinal)).ToList();
        if (separate.Count == 0)
        {
            return null;
        }

        foreach (var store in separate)
        {
            access.Demand(FhirInteraction.Search, store.ResourceType);
        }

        return types.Count == 1
            ? separate[0]
            : throw new BadRequestException(
                $"{string.Join(", ", separate.Select(s => s.ResourceType))} is kept apart from the other types and cannot be searched together with them: search it alone (_type={separate[0].ResourceType}).",
                "_type");
    }

    public static async Task<SearchResult> SearchAsync(
        ISeparateResourceStore store, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, CancellationToken ct)
    {
        var result = await store.SearchAsync([.. parameters.Where(p => p.Key.Trim() != "_type")], strict, ct);
        // The paging links of a system-level search must keep saying which type they page through.
        return result with { AppliedParameters = [new("_type", store.ResourceType), .. result.AppliedParameters] };
    }
}
