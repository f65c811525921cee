using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;

namespace Referral.Fhir.Features.Operations;

/// <summary>
/// <c>Patient/[id]/$everything</c>: the patient, every current resource that refers to the patient, and the
/// practitioners, organizations, locations and medications those refer to; with <c>_since</c>, <c>_type</c> and paging.
/// </summary>
public static class PatientEverythingOperation
{
    private static readonly string[] SupportingTypes = ["Practitioner", "PractitionerRole", "Organization", "Location", "Medication", "Device"];

    public static void MapPatientEverything(this IEndpointRouteBuilder fhir) =>
        fhir.MapGet("/Patient/{id}/$everything", EverythingAsync);

    private static async Task<IResult> EverythingAsync(string id, HttpContext context, ResourceStore store, IOptions<FhirOptions> options, CancellationToken ct)
    {
        store.Access.Demand(FhirInteraction.Operation, "Patient");
        var patient = await store.ReadAsync("Patient", id, ct);
        var db = store.Db;
        var query = context.Request.Query;

        var referring = db.ReferenceIndices.Where(r => r.TargetType == "Patient" && r.TargetId == id).Select(r => r.Sid);
        var compartment = db.Resources.Where(r => !r.IsHistory && !r.IsDeleted && referring.Contains(r.Sid));
        var supporting = db.Resources.Where(r => !r.IsHistory && !r.IsDeleted && SupportingTypes.Contains(r.ResourceType) &&
            db.ReferenceIndices.Any(ri => referring.Contains(ri.Sid) && ri.TargetType == r.ResourceType && ri.TargetId == r.ResourceId));
        var all = db.Resources.Where(r => r.Sid == patient.Sid).Concat(compartment).Concat(supporting).Within(store.Access.ReadScope(db));

        var types = query["_type"].ToString();
        if (types.Length > 0)
        {
            var wanted = types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var type in wanted)
            {
                ResourceTypes.Require(type);
            }

            all = all.Where(r => wanted.Contains(r.ResourceType));
        }

        var since = query["_since"].ToString();
        if (Paging.SinceTicks(since) is { } ticks)
        {
            all = all.Where(r => r.LastUpdatedTicks >= ticks);
        }

        var count = Paging.Count(query["_count"], options.Value);
        var offset = Paging.Offset(query["_offset"]);
        var distinct = all.Select(r => r.Sid).Distinct();
        var total = await distinct.CountAsync(ct);
        var page = await db.Resources.AsNoTracking().Where(r => distinct.Contains(r.Sid))
            .OrderBy(r => r.ResourceType == "Patient" ? 0 : 1).ThenBy(r => r.Sid)
            .Skip(offset).Take(count).ToListAsync(ct);

        var self = $"{FhirUrls.Base(context)}/Patient/{id}/$everything";
        string Link(int at)
        {
            var parameters = new List<string>();
            if (types.Length > 0)
            {
                parameters.Add($"_type={Uri.EscapeDataString(types)}");
            }

            if (since.Length > 0)
            {
                parameters.Add($"_since={Uri.EscapeDataString(since)}");
            }

            parameters.Add($"_count={count.ToString(CultureInfo.InvariantCulture)}");
            parameters.Add($"_offset={at.ToString(CultureInfo.InvariantCulture)}");
            return $"{self}?{string.Join('&', parameters)}";
        }

        var links = new List<(string, string)> { ("self", Link(offset)) };
        // Not offset + count: a client-chosen offset near int.MaxValue overflowed into a bogus next link.
        if (offset < total - count)
        {
            links.Add(("next", Link(offset + count)));
        }

        return new BundleResult(Bundle.BundleType.Searchset, total, links, [.. page.Select(e => new BundleEntryVersion(e, Bundle.SearchEntryMode.Match))]);
    }
}
