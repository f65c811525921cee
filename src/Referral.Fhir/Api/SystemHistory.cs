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

            var (before, on) = Split(ticks, offset, end);
            var pages = new List<IReadOnlyList<ResourceEntity>> { on[0] == 0 ? [] : await newestFirst.Skip(before[0]).Take(on[0]).ToListAsync(ct) };
            for (var i = 0; i < stores.Count; i++)
            {
                pages.Add(on[i + 1] == 0 ? [] : await stores[i].HistoryAsync(window, before[i + 1], on[i + 1], ct));
            }

            page = Merge(pages);
        }

        return HistoryEndpoints.Bundle(self, page, total, count, offset, query["_since"].ToString(), window);
    }

    /// <summary>
    /// Walks the merged order of the sources' newest-first times up to <paramref name="end"/>: how many of each source
    /// come before position <paramref name="offset"/>, and how many between it and <paramref name="end"/>.
    /// </summary>
    private static (int[] Before, int[] On) Split(List<IReadOnlyList<long>> ticks, int offset, int end)
    {
        var before = new int[ticks.Count];
        var on = new int[ticks.Count];
        var next = new int[ticks.Count];
        for (var position = 0; position < end && Newest(ticks, next) is var source && source >= 0; position++)
        {
            (position < offset ? before : on)[source]++;
            next[source]++;
        }

        return (before, on);
    }

    /// <summary>The pages of each source, newest first, merged in the same order <see cref="Split"/> walked.</summary>
    private static List<ResourceEntity> Merge(List<IReadOnlyList<ResourceEntity>> pages)
    {
        var ticks = pages.Select(p => (IReadOnlyList<long>)[.. p.Select(r => r.LastUpdatedTicks)]).ToList();
        var next = new int[pages.Count];
        var merged = new List<ResourceEntity>();
        while (Newest(ticks, next) is var source && source >= 0)
        {
            merged.Add(pages[source][next[source]++]);
        }

        return merged;
    }

    /// <summary>The source whose next version is the newest, the earliest source at equal times; -1 when all are done.</summary>
    private static int Newest(List<IReadOnlyList<long>> ticks, int[] next)
    {
        var newest = -1;
        for (var i = 0; i < ticks.Count; i++)
        {
            if (next[i] < ticks[i].Count && (newest < 0 || ticks[i][next[i]] > ticks[newest][next[newest]]))
            {
                newest = i;
            }
        }

        return newest;
    }
}
