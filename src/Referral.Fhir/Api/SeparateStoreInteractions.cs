using Microsoft.AspNetCore.Http;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Api;

/// <summary>
/// The read interactions of a separately stored type (the audit trail's AuditEvents), access checked: one
/// implementation each, answering the type's own routes and the GET entries of batch and transaction Bundles alike, so
/// a Bundle entry gets what the same request outside a Bundle gets (including its 403).
/// </summary>
public static class SeparateStoreInteractions
{
    public static Task<ResourceEntity> ReadAsync(ISeparateResourceStore store, IFhirAccessPolicy access, string id, CancellationToken ct)
    {
        access.Demand(FhirInteraction.Read, store.ResourceType);
        return store.ReadAsync(id, ct);
    }

    public static Task<ResourceEntity> VReadAsync(ISeparateResourceStore store, IFhirAccessPolicy access, string id, string version, CancellationToken ct)
    {
        access.Demand(FhirInteraction.VRead, store.ResourceType);
        return store.VReadAsync(id, version, ct);
    }

    /// <summary>Instance history; <paramref name="self"/> is the URL the Bundle's links name.</summary>
    public static async Task<BundleResult> InstanceHistoryAsync(ISeparateResourceStore store, IFhirAccessPolicy access, string id, string self, CancellationToken ct)
    {
        access.Demand(FhirInteraction.History, store.ResourceType);
        var versions = await store.InstanceHistoryAsync(id, ct);
        return HistoryEndpoints.Bundle(self, versions, versions.Count, versions.Count, 0, "");
    }

    /// <summary>Type history, paged within one <see cref="HistoryWindow"/> (the links carry its bound).</summary>
    public static async Task<BundleResult> TypeHistoryAsync(
        ISeparateResourceStore store, IFhirAccessPolicy access, IQueryCollection query, string self, FhirOptions options, TimeProvider clock, CancellationToken ct)
    {
        access.Demand(FhirInteraction.History, store.ResourceType);
        var window = Paging.Window(query, clock);
        var count = Paging.Count(query["_count"], options);
        var offset = Paging.Offset(query["_offset"]);
        var total = await store.CountHistoryAsync(window, ct);
        var page = await store.HistoryAsync(window, offset, count, ct);
        return HistoryEndpoints.Bundle(self, page, total, count, offset, query["_since"].ToString(), window);
    }

    /// <summary>Type-level search, answered as a searchset whose links page <c>[base]/[type]</c>.</summary>
    public static async Task<BundleResult> SearchAsync(
        HttpContext context, ISeparateResourceStore store, IFhirAccessPolicy access, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict,
        CancellationToken ct)
    {
        access.Demand(FhirInteraction.Search, store.ResourceType);
        var result = await store.SearchAsync(parameters, strict, ct);
        return SearchEndpoints.ToBundle(context, $"{FhirUrls.Base(context)}/{store.ResourceType}", result);
    }
}
