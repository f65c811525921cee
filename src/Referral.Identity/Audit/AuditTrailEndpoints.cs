using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail as the FHIR AuditEvent type: read, vread, search (GET and POST <c>_search</c>) and history, for the
/// roles allowed to read AuditEvents (admins). These routes name the type literally, so they take precedence over the
/// store's <c>/{type}</c> routes; writes of AuditEvents still reach those and are refused with 405.
/// </summary>
public static class AuditTrailEndpoints
{
    private const string Type = AuditTrailStore.Type;

    public static RouteGroupBuilder MapAuditTrail(this RouteGroupBuilder fhir)
    {
        fhir.MapGet($"/{Type}", (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
            SearchAsync(FhirRequest.SearchParameters(c.Request.Query), c, s, a, ct));
        fhir.MapPost($"/{Type}/_search", async (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
        {
            var parameters = FhirRequest.SearchParameters(c.Request.Query);
            if (c.Request.HasFormContentType)
            {
                parameters.AddRange(FhirRequest.SearchParameters(await c.Request.ReadFormAsync(ct)));
            }

            return await SearchAsync(parameters, c, s, a, ct);
        });
        fhir.MapGet($"/{Type}/_history", async (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, IOptions<FhirOptions> o, TimeProvider clock, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.History, Type);
            var window = Paging.Window(c.Request.Query, clock);
            var count = Paging.Count(c.Request.Query["_count"], o.Value);
            var offset = Paging.Offset(c.Request.Query["_offset"]);
            var total = await s.CountHistoryAsync(window, ct);
            var page = await s.HistoryAsync(window, offset, count, ct);
            return HistoryEndpoints.Bundle(c, page, total, count, offset, c.Request.Query["_since"].ToString(), window);
        });
        fhir.MapGet($"/{Type}/{{id}}", async (string id, AuditTrailContext db, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.Read, Type);
            var stored = s.Stored(await FindAsync(db, id, ct));
            return new FhirResult(StatusCodes.Status200OK, null, stored) { RawJson = stored.Json };
        });
        fhir.MapGet($"/{Type}/{{id}}/_history/{{vid}}", async (string id, string vid, AuditTrailContext db, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.VRead, Type);
            var record = await FindAsync(db, id, ct);
            var stored = vid == "1" ? s.Stored(record) : throw new ResourceNotFoundException($"{Type}/{id} has no version {vid}: AuditEvents are never changed.");
            return new FhirResult(StatusCodes.Status200OK, null, stored) { RawJson = stored.Json };
        });
        fhir.MapGet($"/{Type}/{{id}}/_history", async (string id, HttpContext c, AuditTrailContext db, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
        {
            a.Demand(FhirInteraction.History, Type);
            var stored = s.Stored(await FindAsync(db, id, ct));
            return HistoryEndpoints.Bundle(c, [stored], 1, 1, 0, "");
        });
        return fhir;
    }

    private static async Task<IResult> SearchAsync(
        List<KeyValuePair<string, string>> parameters, HttpContext context, AuditTrailStore store, IFhirAccessPolicy access, CancellationToken ct)
    {
        access.Demand(FhirInteraction.Search, Type);
        var result = await store.SearchAsync(parameters, FhirRequest.StrictHandling(context), ct);
        return SearchEndpoints.ToBundle(context, $"{FhirUrls.Base(context)}/{Type}", result);
    }

    private static async Task<AuditRecord> FindAsync(AuditTrailContext db, string id, CancellationToken ct) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == number, ct) is { } record
            ? record
            : throw new ResourceNotFoundException($"{Type}/{id} is not known.");
}
