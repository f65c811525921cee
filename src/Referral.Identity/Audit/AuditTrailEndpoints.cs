using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail as the FHIR AuditEvent type: read, vread, search (GET and POST <c>_search</c>) and history, for the
/// roles allowed to read AuditEvents (admins). These routes name the type literally, so they take precedence over the
/// store's <c>/{type}</c> routes; writes of AuditEvents still reach those and are refused with 405. Each is answered by
/// <see cref="SeparateStoreInteractions"/>, as the same request in a batch or transaction Bundle is.
/// </summary>
public static class AuditTrailEndpoints
{
    private const string Type = AuditTrailStore.Type;

    public static RouteGroupBuilder MapAuditTrail(this RouteGroupBuilder fhir)
    {
        fhir.MapGet($"/{Type}", (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
            SeparateStoreInteractions.SearchAsync(c, s, a, FhirRequest.SearchParameters(c.Request.Query), FhirRequest.StrictHandling(c), ct));
        fhir.MapPost($"/{Type}/_search", async (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
        {
            var parameters = FhirRequest.SearchParameters(c.Request.Query);
            if (c.Request.HasFormContentType)
            {
                parameters.AddRange(FhirRequest.SearchParameters(await c.Request.ReadFormAsync(ct)));
            }

            return await SeparateStoreInteractions.SearchAsync(c, s, a, parameters, FhirRequest.StrictHandling(c), ct);
        });
        fhir.MapGet($"/{Type}/_history", (HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, IOptions<FhirOptions> o, TimeProvider clock, CancellationToken ct) =>
            SeparateStoreInteractions.TypeHistoryAsync(s, a, c.Request.Query, FhirUrls.Request(c), o.Value, clock, ct));
        fhir.MapGet($"/{Type}/{{id}}", async (string id, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
            Version(await SeparateStoreInteractions.ReadAsync(s, a, id, ct)));
        fhir.MapGet($"/{Type}/{{id}}/_history/{{vid}}", async (string id, string vid, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
            Version(await SeparateStoreInteractions.VReadAsync(s, a, id, vid, ct)));
        fhir.MapGet($"/{Type}/{{id}}/_history", (string id, HttpContext c, AuditTrailStore s, IFhirAccessPolicy a, CancellationToken ct) =>
            SeparateStoreInteractions.InstanceHistoryAsync(s, a, id, FhirUrls.Request(c), ct));
        return fhir;
    }

    private static FhirResult Version(ResourceEntity stored) => new(StatusCodes.Status200OK, null, stored) { RawJson = stored.Json };
}
