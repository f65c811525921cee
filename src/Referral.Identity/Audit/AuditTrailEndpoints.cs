using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail as the FHIR AuditEvent type: read, vread, search (GET and POST <c>_search</c>) and history, for the
/// roles allowed to read AuditEvents (admins). These routes name the type literally, so they take precedence over the
/// store's <c>/{type}</c> routes; writes of AuditEvents still reach those and are refused with 405.
/// </summary>
public static class AuditTrailEndpoints
{
    private const string Type = "AuditEvent";

    public static RouteGroupBuilder MapAuditTrail(this RouteGroupBuilder fhir)
    {
        fhir.MapGet($"/{Type}", (HttpContext c, AuditTrailContext db, AuditTrailSearch s, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, CancellationToken ct) =>
            SearchAsync(FhirRequest.SearchParameters(c.Request.Query), c, db, s, a, n, z, ct));
        fhir.MapPost($"/{Type}/_search", async (HttpContext c, AuditTrailContext db, AuditTrailSearch s, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, CancellationToken ct) =>
        {
            var parameters = FhirRequest.SearchParameters(c.Request.Query);
            if (c.Request.HasFormContentType)
            {
                parameters.AddRange(FhirRequest.SearchParameters(await c.Request.ReadFormAsync(ct)));
            }

            return await SearchAsync(parameters, c, db, s, a, n, z, ct);
        });
        fhir.MapGet($"/{Type}/_history", async (HttpContext c, AuditTrailContext db, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, IOptions<FhirOptions> o, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.History, Type);
            var records = db.Records.AsNoTracking();
            var since = c.Request.Query["_since"].ToString();
            if (Paging.SinceTicks(since) is { } ticks)
            {
                records = records.Where(r => r.RecordedTicks >= ticks);
            }

            var count = Paging.Count(c.Request.Query["_count"], o.Value);
            var offset = Paging.Offset(c.Request.Query["_offset"]);
            var total = await records.CountAsync(ct);
            var page = await records.OrderByDescending(r => r.RecordedTicks).ThenByDescending(r => r.Id).Skip(offset).Take(count).ToListAsync(ct);
            return HistoryEndpoints.Bundle(c, [.. page.Select(r => Stored(r, n.Value, z))], total, count, offset, since);
        });
        fhir.MapGet($"/{Type}/{{id}}", async (string id, AuditTrailContext db, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.Read, Type);
            var stored = Stored(await FindAsync(db, id, ct), n.Value, z);
            return new FhirResult(StatusCodes.Status200OK, null, stored) { RawJson = stored.Json };
        });
        fhir.MapGet($"/{Type}/{{id}}/_history/{{vid}}", async (string id, string vid, AuditTrailContext db, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.VRead, Type);
            var record = await FindAsync(db, id, ct);
            var stored = vid == "1" ? Stored(record, n.Value, z) : throw new ResourceNotFoundException($"{Type}/{id} has no version {vid}: AuditEvents are never changed.");
            return new FhirResult(StatusCodes.Status200OK, null, stored) { RawJson = stored.Json };
        });
        fhir.MapGet($"/{Type}/{{id}}/_history", async (string id, HttpContext c, AuditTrailContext db, IFhirAccessPolicy a, IOptions<NodeOptions> n, FhirSerializer z, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.History, Type);
            var stored = Stored(await FindAsync(db, id, ct), n.Value, z);
            return HistoryEndpoints.Bundle(c, [stored], 1, 1, 0, "");
        });
        return fhir;
    }

    private static async Task<IResult> SearchAsync(
        List<KeyValuePair<string, string>> parameters, HttpContext context, AuditTrailContext db, AuditTrailSearch search, IFhirAccessPolicy access,
        IOptions<NodeOptions> node, FhirSerializer serializer, CancellationToken ct)
    {
        access.Demand(FhirInteraction.Search, Type);
        var page = await search.SearchAsync(db.Records.AsNoTracking(), parameters, FhirRequest.StrictHandling(context), ct);
        var result = new SearchResult(
            [.. page.Records.Select(r => Stored(r, node.Value, serializer))], [], page.Total, page.Offset, page.Count, page.HasMore, page.Applied, page.Ignored, page.Summary, page.Elements);
        return SearchEndpoints.ToBundle(context, $"{FhirUrls.Base(context)}/{Type}", result);
    }

    private static async Task<AuditRecord> FindAsync(AuditTrailContext db, string id, CancellationToken ct) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == number, ct) is { } record
            ? record
            : throw new ResourceNotFoundException($"{Type}/{id} is not known.");

    /// <summary>The record as the store's version shape, so the API's result writers (formats, _summary, _elements) serve it unchanged.</summary>
    private static ResourceEntity Stored(AuditRecord record, NodeOptions node, FhirSerializer serializer) => new()
    {
        ResourceType = Type,
        ResourceId = record.Id.ToString(CultureInfo.InvariantCulture),
        VersionId = 1,
        LastUpdatedTicks = record.RecordedTicks,
        Method = "POST",
        Json = serializer.SerializeForStorage(AuditEventRendering.Render(record, node)),
    };
}
