using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.SeparateStores;

namespace Referral.Fhir.Features.Transactions;

/// <summary>
/// Answers the GET (and HEAD) entries of batch and transaction Bundles by the same code that answers the request
/// outside a Bundle: read, vread, search and history of the store's types, of separately stored types (the audit
/// trail) through their own interactions, and system-level search and history with those stores merged in.
/// </summary>
public sealed class BundleReads(
    ResourceStore store, SearchService search, IEnumerable<ISeparateResourceStore> separateStores, IOptions<FhirOptions> options, TimeProvider clock)
{
    private readonly IReadOnlyCollection<ISeparateResourceStore> _separate = [.. separateStores];

    /// <summary>The separately stored type the entry names, or null for the store's own types and system-level entries.</summary>
    public ISeparateResourceStore? SeparateStoreOf(TransactionEntry entry) => _separate.FirstOrDefault(s => s.ResourceType == entry.Type);

    public async Task AnswerAsync(TransactionEntry entry, HttpContext context, CancellationToken ct)
    {
        var access = store.Access;
        var self = $"{FhirUrls.Base(context)}/{entry.Path}".TrimEnd('/');
        var separate = SeparateStoreOf(entry);
        if (entry.Id is { } id && !entry.IsHistory)
        {
            var version = entry.Version switch
            {
                null when separate is not null => await SeparateStoreInteractions.ReadAsync(separate, access, id, ct),
                null => await store.ReadAsync(entry.Type, id, ct),
                { } vid when separate is not null => await SeparateStoreInteractions.VReadAsync(separate, access, id, vid, ct),
                { } vid => await store.VReadAsync(entry.Type, id, vid, ct),
            };
            entry.Done(HttpStatusCode.OK, version, withResource: true);
            return;
        }

        var result = (entry.IsHistory, entry.Id, separate) switch
        {
            (true, _, _) when entry.IsSystemLevel =>
                await SystemHistory.PageAsync(entry.Query, self, store.Db, access, _separate, options.Value, clock, ct),
            (true, { } instance, { } s) => await SeparateStoreInteractions.InstanceHistoryAsync(s, access, instance, self, ct),
            (true, { } instance, null) => await HistoryEndpoints.InstanceAsync(entry.Type, instance, entry.Query, self, store.Db, access, options.Value, ct),
            (true, null, { } s) => await SeparateStoreInteractions.TypeHistoryAsync(s, access, entry.Query, self, options.Value, clock, ct),
            (true, null, null) => await HistoryEndpoints.TypeAsync(entry.Type, entry.Query, self, store.Db, access, options.Value, ct),
            (false, _, { } s) => await SeparateStoreInteractions.SearchAsync(context, s, access, entry.Criteria, FhirRequest.StrictHandling(context), ct),
            (false, _, null) => SearchEndpoints.ToBundle(
                context, self, await search.SearchAsync(store.Db, entry.IsSystemLevel ? null : entry.Type, entry.Criteria, FhirRequest.StrictHandling(context), ct, access, _separate)),
        };
        entry.ResultBundle = result.ToBundle(context, FhirUrls.Base(context));
        entry.Done(HttpStatusCode.OK, null);
    }
}
