using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.SeparateStores;
using Referral.Fhir.Serialization;
using Referral.Identity.Audit.Journal;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail as the separately stored AuditEvent type: its read, vread, search (with chains resolved in the FHIR
/// store under the caller's access), history, and what other types' <c>_revinclude</c> and <c>_has</c> ask of it.
/// Records come out in the store's version shape, so the API's result writers serve them unchanged. Each read first
/// waits for the journal's records to be in the trail, so it sees every access answered before it.
/// </summary>
public sealed class AuditTrailStore(
    AuditTrailContext trail, AuditIndexer indexer, AuditTrailSearch search, FhirDbContext fhirStore, SearchService fhirSearch, IFhirAccessPolicy access,
    IOptions<NodeOptions> node, FhirSerializer serializer) : ISeparateResourceStore
{
    public const string Type = "AuditEvent";

    public string ResourceType => Type;

    /// <summary>
    /// The trail to query, once everything journaled before the call is in it: the only way in, so no read of the trail
    /// can miss an access that was answered before it.
    /// </summary>
    private async Task<IQueryable<AuditRecord>> RecordsAsync(CancellationToken ct)
    {
        await indexer.CaughtUpAsync(ct);
        return trail.Records.AsNoTracking();
    }

    public async Task<ResourceEntity> ReadAsync(string id, CancellationToken ct) => Stored(await FindAsync(id, ct));

    public async Task<ResourceEntity> VReadAsync(string id, string version, CancellationToken ct)
    {
        var record = await FindAsync(id, ct);
        return version == "1" ? Stored(record) : throw new ResourceNotFoundException($"{Type}/{id} has no version {version}: AuditEvents are never changed.");
    }

    public async Task<IReadOnlyList<ResourceEntity>> InstanceHistoryAsync(string id, CancellationToken ct) => [await ReadAsync(id, ct)];

    public async Task<SearchResult> SearchAsync(IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, CancellationToken ct)
    {
        var page = await search.SearchAsync(await RecordsAsync(ct), parameters, strict, ChainTargetsAsync, ct);
        return new SearchResult(
            [.. page.Records.Select(Stored)], [], page.Total, page.Offset, page.Count, page.HasMore, page.Applied, page.Ignored, page.Summary, page.Elements);
    }

    public async Task<IReadOnlyList<long>> SearchTicksAsync(IReadOnlyList<KeyValuePair<string, string>> parameters, int take, CancellationToken ct) =>
        await search.TicksAsync(await RecordsAsync(ct), parameters, take, ChainTargetsAsync, ct);

    public async Task<int> CountHistoryAsync(HistoryWindow window, CancellationToken ct) =>
        await (await WithinAsync(window, ct)).CountAsync(ct);

    public async Task<IReadOnlyList<long>> HistoryTicksAsync(HistoryWindow window, int take, CancellationToken ct) =>
        await NewestFirst(await WithinAsync(window, ct)).Select(r => r.RecordedTicks).Take(take).ToListAsync(ct);

    public async Task<IReadOnlyList<ResourceEntity>> HistoryAsync(HistoryWindow window, int skip, int take, CancellationToken ct) =>
        [.. (await NewestFirst(await WithinAsync(window, ct)).Skip(skip).Take(take).ToListAsync(ct)).Select(Stored)];

    public async Task<IReadOnlyList<ResourceEntity>> ReferencingAsync(string parameter, IReadOnlyCollection<string> targets, CancellationToken ct)
    {
        var matches = (await RecordsAsync(ct)).Where(AuditTrailSearch.References(parameter, targets));
        return [.. (await matches.OrderBy(r => r.Id).ToListAsync(ct)).Select(Stored)];
    }

    public async Task<IReadOnlyCollection<string>> ReferencedAsync(string parameter, string key, string value, int limit, CancellationToken ct)
    {
        var matches = (await RecordsAsync(ct)).Where(await search.FilterAsync(key, value, ChainTargetsAsync, ct));
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var code in parameter == "*" ? AuditTrailSearch.ReferenceParameters : [parameter])
        {
            var query = code switch
            {
                "patient" => matches.Where(r => r.EntityType == "Patient").Select(r => "Patient/" + r.EntityId)
                    .Union(matches.Where(r => r.AgentReference!.StartsWith("Patient/")).Select(r => r.AgentReference!)),
                "entity" => matches.Where(r => r.EntityType != null && r.EntityId != null).Select(r => r.EntityType + "/" + r.EntityId),
                "agent" => matches.Where(r => r.AgentReference != null).Select(r => r.AgentReference!)
                    .Union(matches.Where(r => r.Organization != null).Select(r => r.Organization!)),
                _ => throw new UnsupportedSearchParameterException($"'{code}' is not a reference parameter of AuditEvent this node supports for _has."),
            };
            referenced.UnionWith(await query.Distinct().Take(limit + 1).ToListAsync(ct));
        }

        return referenced;
    }

    /// <summary>Chains resolve against the FHIR store with the caller's own access, so they find only what it may see.</summary>
    private Task<IReadOnlyList<string>> ChainTargetsAsync(string key, string value, CancellationToken ct) =>
        fhirSearch.ChainTargetsAsync(fhirStore, Type, key, value, AuditTrailSearch.MaxChainTargets, access, ct);

    /// <summary>The record of an id; ids are the trail's sequence numbers, so anything else is simply unknown.</summary>
    private async Task<AuditRecord> FindAsync(string id, CancellationToken ct)
    {
        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && await (await RecordsAsync(ct)).FirstOrDefaultAsync(r => r.Id == number, ct) is { } record
                ? record
                : throw new ResourceNotFoundException($"{Type}/{id} is not known.");
    }

    private async Task<IQueryable<AuditRecord>> WithinAsync(HistoryWindow window, CancellationToken ct)
    {
        var records = (await RecordsAsync(ct)).Where(r => r.RecordedTicks <= window.UntilTicks);
        return window.SinceTicks is { } since ? records.Where(r => r.RecordedTicks >= since) : records;
    }

    private static IOrderedQueryable<AuditRecord> NewestFirst(IQueryable<AuditRecord> records) =>
        records.OrderByDescending(r => r.RecordedTicks).ThenByDescending(r => r.Id);

    /// <summary>The record as the store's version shape: AuditEvents have one version, created when recorded.</summary>
    private ResourceEntity Stored(AuditRecord record) => new()
    {
        ResourceType = Type,
        ResourceId = record.Id.ToString(CultureInfo.InvariantCulture),
        VersionId = 1,
        LastUpdatedTicks = record.RecordedTicks,
        Method = "POST",
        Json = serializer.SerializeForStorage(AuditEventRendering.Render(record, node.Value)),
    };
}
