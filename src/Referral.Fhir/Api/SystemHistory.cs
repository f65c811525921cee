using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Api;

/// <summary>
/// <c>GET [base]/_history</c>: the store's versions the caller may see, merged newest first with those of the
/// separately stored types it may read the history of (the audit trail, for admins); for anyone else those types add
/// nothing, not even to the total. Pages are cut from one <see cref="HistoryWindow"/> (the links carry its bound) and,
/// at equal times, the store's versions come before the separate stores', so every page of a window is the same on
/// each request and consecutive pages neither repeat nor skip a version.
/// </summary>
internal static class SystemHistory
{
    /// <summary>One page of the history; <paramref name="self"/> is the URL its links page.</summary>
    public static async Task<BundleResult> PageAsync(
        IQueryCollection query, string self, FhirDbContext db, IFhirAccessPolicy access, IEnumerable<ISeparateResourceStore> separate, FhirOptions options,
        TimeProvider clock, CancellationToken ct)
    {
        access.Demand(FhirInteraction.History, null);
        var window = Paging.Window(query, clock);
        var count = Paging.Count(query["_count"], options);
        var offset = Paging.Offset(query["_offset"]);
        var versions = db.Resources.VersionsWithin(db, access.ReadScope(db)).Where(r => r.LastUpdatedTicks <= window.UntilTicks);
        if (window.SinceTicks is { } since)
        {
            versions = versions.Where(r => r.LastUpdatedTicks >= since);
        }

        var newestFirst = versions.AsNoTracking().OrderByDescending(r => r.LastUpdatedTicks).ThenByDescending(r => r.Sid);
        var stores = separate.Where(s => access.Allows(FhirInteraction.History, s.ResourceType)).ToList();
        var total = await versions.CountAsync(ct);
        foreach (var store in stores)
        {
            total += await store.CountHistoryAsync(window, ct);
        }

        List<ResourceEntity> page;
        if (stores.Count == 0)
        {
            page = await newestFirst.Skip(offset).Take(count).ToListAsync(ct);
        }
        else
        {
            // Which of each source's versions fall on this page follows from their times alone: the first offset +
            // count of each, merged, decide how many of each come before the page and how many on it.
            var end = (int)Math.Min((long)offset + count, total);
            var ticks = new List<IReadOnlyList<long>> { offset >= total ? [] : await newestFirst.Select(r => r.LastUpdatedTicks).Take(end).ToListAsync(ct) };
            foreach (var store in stores)
            {
                ticks.Add(offset >= total ? [] : await store.HistoryTicksAsync(window, end, ct));
            }

            var (before, on) = TimeOrderedMerge.Split(ticks, offset, end, newestFirst: true);
            var pages = new List<IReadOnlyList<ResourceEntity>> { on[0] == 0 ? [] : await newestFirst.Skip(before[0]).Take(on[0]).ToListAsync(ct) };
            for (var i = 0; i < stores.Count; i++)
            {
                pages.Add(on[i + 1] == 0 ? [] : await stores[i].HistoryAsync(window, before[i + 1], on[i + 1], ct));
            }

            page = TimeOrderedMerge.Merge(pages, newestFirst: true);
        }

        return HistoryEndpoints.Bundle(self, page, total, count, offset, query["_since"].ToString(), window);
    }
}
