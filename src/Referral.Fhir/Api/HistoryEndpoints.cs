using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Api;

/// <summary>Instance, type and system history, newest first, with <c>_since</c>, <c>_count</c> and paging links.</summary>
public static class HistoryEndpoints
{
    public static void MapHistory(this IEndpointRouteBuilder fhir)
    {
        fhir.MapGet("/_history", (HttpContext c, FhirDbContext db, IFhirAccessPolicy a, [FromServices] IEnumerable<ISeparateResourceStore> separate,
            IOptions<FhirOptions> o, TimeProvider clock, CancellationToken ct) =>
            SystemHistory.PageAsync(c.Request.Query, FhirUrls.Request(c), db, a, separate, o.Value, clock, ct));
        fhir.MapGet("/{type}/_history", (string type, HttpContext c, FhirDbContext db, IFhirAccessPolicy a, IOptions<FhirOptions> o, CancellationToken ct) =>
            TypeAsync(type, c.Request.Query, FhirUrls.Request(c), db, a, o.Value, ct));
        fhir.MapGet("/{type}/{id}/_history", (string type, string id, HttpContext c, FhirDbContext db, IFhirAccessPolicy a, IOptions<FhirOptions> o, CancellationToken ct) =>
            InstanceAsync(type, id, c.Request.Query, FhirUrls.Request(c), db, a, o.Value, ct));
    }

    /// <summary><c>GET [base]/[type]/_history</c> of a type in the store; <paramref name="self"/> is the URL its links page.</summary>
    public static Task<BundleResult> TypeAsync(
        string type, IQueryCollection query, string self, FhirDbContext db, IFhirAccessPolicy access, FhirOptions options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        access.Demand(FhirInteraction.History, type);
        return PageAsync(query, self, db, db.Resources.Where(r => r.ResourceType == type).VersionsWithin(db, access.ReadScope(db)), options, ct);
    }

    /// <summary><c>GET [base]/[type]/[id]/_history</c> of a resource in the store.</summary>
    public static async Task<BundleResult> InstanceAsync(
        string type, string id, IQueryCollection query, string self, FhirDbContext db, IFhirAccessPolicy access, FhirOptions options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        access.Demand(FhirInteraction.History, type);
        ResourceStore.ValidateId(id);
        var versions = db.Resources.Where(r => r.ResourceType == type && r.ResourceId == id).VersionsWithin(db, access.ReadScope(db));
        if (!await versions.AnyAsync(ct))
        {
            throw new ResourceNotFoundException($"{type}/{id} is not known.");
        }

        return await PageAsync(query, self, db, versions, options, ct);
    }

    private static async Task<BundleResult> PageAsync(IQueryCollection query, string self, FhirDbContext db, IQueryable<ResourceEntity> versions, FhirOptions options, CancellationToken ct)
    {
        var since = query["_since"].ToString();
        if (Paging.SinceTicks(since) is { } ticks)
        {
            versions = versions.Where(r => r.LastUpdatedTicks >= ticks);
        }

        var count = Paging.Count(query["_count"], options);
        var offset = Paging.Offset(query["_offset"]);
        var total = await versions.CountAsync(ct);
        var page = await versions.AsNoTracking()
            .OrderByDescending(r => r.LastUpdatedTicks).ThenByDescending(r => r.Sid)
            .Skip(offset).Take(count).ToListAsync(ct);
        return Bundle(self, page, total, count, offset, since);
    }

    /// <summary>The history Bundle of one page of versions, newest first, with self/next/previous links.</summary>
    /// <remarks>With a <paramref name="window"/>, the links keep its upper bound, so later pages are cut from the same versions.</remarks>
    public static BundleResult Bundle(string self, IReadOnlyList<ResourceEntity> page, int total, int count, int offset, string since, HistoryWindow? window = null)
    {
        var until = window is null ? "" : $"_until={Uri.EscapeDataString(Paging.Until(window))}&";
        string Link(int at) => $"{self}?{(since.Length > 0 ? $"_since={Uri.EscapeDataString(since)}&" : "")}{until}_count={count}&_offset={at.ToString(CultureInfo.InvariantCulture)}";
        var links = new List<(string, string)> { ("self", Link(offset)) };
        // Not offset + count: a client-chosen offset near int.MaxValue overflowed into a bogus next link.
        if (offset < total - count)
        {
            links.Add(("next", Link(offset + count)));
        }

        if (offset > 0)
        {
            links.Add(("previous", Link(Math.Max(0, offset - count))));
        }

        return new BundleResult(Hl7.Fhir.Model.Bundle.BundleType.History, total, links, [.. page.Select(e => new BundleEntryVersion(e, WithRequest: true))]);
    }
}
