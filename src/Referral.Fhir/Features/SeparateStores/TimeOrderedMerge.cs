using Referral.Persistence;

namespace Referral.Fhir.Features.SeparateStores;

/// <summary>
/// Pages through several sources as one, each already in last-updated order (newest or oldest first): the FHIR store
/// and the separately stored types, in system history and in a system-level search sorted by <c>_lastUpdated</c>. At
/// equal times the earlier source comes first, so every page of a merge is the same on each request and consecutive
/// pages neither repeat nor skip a resource.
/// </summary>
internal static class TimeOrderedMerge
{
    /// <summary>
    /// Walks the merged order of the sources' times (each source's first <paramref name="end"/> at least) up to
    /// <paramref name="end"/>: how many of each source come before position <paramref name="offset"/>, and how many
    /// between it and <paramref name="end"/>.
    /// </summary>
    public static (int[] Before, int[] On) Split(IReadOnlyList<IReadOnlyList<long>> ticks, int offset, int end, bool newestFirst)
    {
        var before = new int[ticks.Count];
        var on = new int[ticks.Count];
        var next = new int[ticks.Count];
        for (var position = 0; position < end && Following(ticks, next, newestFirst) is var source && source >= 0; position++)
        {
            (position < offset ? before : on)[source]++;
            next[source]++;
        }

        return (before, on);
    }

    /// <summary>The pages of each source merged in the same order <see cref="Split"/> walked.</summary>
    public static List<ResourceEntity> Merge(IReadOnlyList<IReadOnlyList<ResourceEntity>> pages, bool newestFirst)
    {
        var ticks = pages.Select(p => (IReadOnlyList<long>)[.. p.Select(r => r.LastUpdatedTicks)]).ToList();
        var next = new int[pages.Count];
        var merged = new List<ResourceEntity>();
        while (Following(ticks, next, newestFirst) is var source && source >= 0)
        {
            merged.Add(pages[source][next[source]++]);
        }

        return merged;
    }

    /// <summary>The source whose next resource comes next in the order, the earliest source at equal times; -1 when all are done.</summary>
    private static int Following(IReadOnlyList<IReadOnlyList<long>> ticks, int[] next, bool newestFirst)
    {
        var following = -1;
        for (var i = 0; i < ticks.Count; i++)
        {
            if (next[i] < ticks[i].Count
                && (following < 0 || (newestFirst ? ticks[i][next[i]] > ticks[following][next[following]] : ticks[i][next[i]] < ticks[following][next[following]])))
            {
                following = i;
            }
        }

        return following;
    }
}
