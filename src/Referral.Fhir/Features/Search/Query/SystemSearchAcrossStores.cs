using System.Globalization;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// A system-level search without <c>_type</c> (<c>GET [base]?_lastUpdated=gt…</c>) by a caller who may search the
/// separately stored types (an admin, the audit trail): their matches join the FHIR store's in one result, with one
/// total and paging across both.
/// <list type="bullet">
/// <item>The store decides which parameters a search of all types applies (<c>_id</c>, <c>_lastUpdated</c>,
/// <c>_tag</c>, …). A separate type that cannot answer one of them adds nothing, since skipping it would widen the
/// search (the trail holds no tags, so <c>_tag=x</c> finds none of its records).</item>
/// <item>Without <c>_sort</c>, the store's matches come first, then each separate type's in its own order (the trail's
/// in the order recorded). With <c>_sort=_lastUpdated</c> or <c>-_lastUpdated</c> they are merged by time. No other
/// sort can span the stores: a 400 naming <c>_sort</c>.</item>
/// <item><c>_include</c> and <c>_revinclude</c> follow the store's matches only.</item>
/// </list>
/// </summary>
internal static class SystemSearchAcrossStores
{
    /// <summary>The separate types a system-level search joins: those the caller may search, when no <c>_type</c> limits it.</summary>
    public static IReadOnlyList<ISeparateResourceStore> Joining(
        IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyCollection<ISeparateResourceStore> stores, IFhirAccessPolicy access) =>
        parameters.Any(p => p.Key.Trim() == "_type") ? [] : [.. stores.Where(s => access.Allows(FhirInteraction.Search, s.ResourceType))];

    /// <summary>
    /// The search, given the FHIR store's own search (<paramref name="searchStore"/>) and the last-updated ticks of its
    /// first matches, as many as asked, in the search's order (<paramref name="storeTicks"/>).
    /// </summary>
    public static async Task<SearchResult> SearchAsync(
        Func<IReadOnlyList<KeyValuePair<string, string>>, Task<SearchResult>> searchStore,
        Func<IReadOnlyList<KeyValuePair<string, string>>, int, Task<IReadOnlyList<long>>> storeTicks,
        IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyList<ISeparateResourceStore> joining, CancellationToken ct)
    {
        var store = await searchStore(parameters);
        var filters = store.AppliedParameters.Where(p => !IsControl(p.Key)).ToList();
        var newestFirst = TimeOrder(store.AppliedParameters);
        var sources = new List<(ISeparateResourceStore Store, int Matches)>();
        foreach (var separate in joining)
        {
            var counted = await separate.SearchAsync([.. filters, new("_summary", "count")], strict: false, ct);
            if (counted.IgnoredParameters.Count == 0 && counted.Total is { } matches)
            {
                sources.Add((separate, matches));
            }
        }

        var joined = sources.Sum(s => s.Matches);
        if (sources.Count == 0 || joined == 0)
        {
            return store;
        }

        var total = store.Total + joined;
        if (store.Summary == "count")
        {
            return store with { Total = total, HasMore = total > store.Offset };
        }

        return newestFirst is { } order
            ? await ByTimeAsync(searchStore, storeTicks, parameters, store, filters, sources, order, total, ct)
            : await StoreFirstAsync(searchStore, parameters, store, filters, sources, total, ct);
    }

    /// <summary>The store's matches, then each separate type's: where those start follows from how many the store holds.</summary>
    private static async Task<SearchResult> StoreFirstAsync(
        Func<IReadOnlyList<KeyValuePair<string, string>>, Task<SearchResult>> searchStore, IReadOnlyList<KeyValuePair<string, string>> parameters,
        SearchResult store, List<KeyValuePair<string, string>> filters, List<(ISeparateResourceStore Store, int Matches)> sources, int? total,
        CancellationToken ct)
    {
        if (store.HasMore)
        {
            return store with { Total = total };
        }

        var held = store.Matches.Count > 0 || store.Offset == 0
            ? store.Offset + store.Matches.Count
            : store.Total ?? (await searchStore(With(parameters, new KeyValuePair<string, string>("_summary", "count")))).Total!.Value;
        var page = new List<ResourceEntity>(store.Matches);
        var skip = Math.Max(0, store.Offset - held);
        var hasMore = false;
        foreach (var (separate, matches) in sources)
        {
            if (skip >= matches)
            {
                skip -= matches;
                continue;
            }

            var room = store.Count - page.Count;
            if (room == 0)
            {
                hasMore = true;
                break;
            }

            var part = await separate.SearchAsync([.. filters, .. Paged(skip, room)], strict: false, ct);
            page.AddRange(part.Matches);
            hasMore |= skip + part.Matches.Count < matches;
            skip = 0;
        }

        return store with { Matches = page, Total = total, HasMore = hasMore };
    }

    /// <summary>Every source's matches in last-updated order, merged as system history is (<see cref="TimeOrderedMerge"/>).</summary>
    private static async Task<SearchResult> ByTimeAsync(
        Func<IReadOnlyList<KeyValuePair<string, string>>, Task<SearchResult>> searchStore,
        Func<IReadOnlyList<KeyValuePair<string, string>>, int, Task<IReadOnlyList<long>>> storeTicks,
        IReadOnlyList<KeyValuePair<string, string>> parameters, SearchResult store, List<KeyValuePair<string, string>> filters,
        List<(ISeparateResourceStore Store, int Matches)> sources, bool newestFirst, int? total, CancellationToken ct)
    {
        KeyValuePair<string, string> sort = new("_sort", newestFirst ? "-_lastUpdated" : "_lastUpdated");
        var end = store.Offset + store.Count;

        // One past the page's end tells whether any source has more.
        var ticks = new List<IReadOnlyList<long>> { await storeTicks(parameters, end + 1) };
        foreach (var (separate, _) in sources)
        {
            ticks.Add(await separate.SearchTicksAsync([.. filters, sort], end + 1, ct));
        }

        var (before, on) = TimeOrderedMerge.Split(ticks, store.Offset, end, newestFirst);
        var storePage = await searchStore(With(parameters, Paged(before[0], on[0])));
        var pages = new List<IReadOnlyList<ResourceEntity>> { storePage.Matches };
        for (var i = 0; i < sources.Count; i++)
        {
            pages.Add(on[i + 1] == 0 ? [] : (await sources[i].Store.SearchAsync([.. filters, sort, .. Paged(before[i + 1], on[i + 1])], strict: false, ct)).Matches);
        }

        return store with
        {
            Matches = TimeOrderedMerge.Merge(pages, newestFirst),
            Included = storePage.Included,
            Total = total,
            HasMore = ticks.Sum(t => t.Count) > end,
        };
    }

    /// <summary><c>_lastUpdated</c> order (newest first or not), null when unsorted; any other sort cannot span the stores.</summary>
    private static bool? TimeOrder(IReadOnlyList<KeyValuePair<string, string>> applied)
    {
        var sort = applied.Where(p => p.Key == "_sort").Select(p => p.Value).SingleOrDefault();
        return sort switch
        {
            null => null,
            "_lastUpdated" => false,
            "-_lastUpdated" => true,
            _ => throw new BadRequestException(
                $"A search of all types that includes the separately stored types (AuditEvent) sorts only by _lastUpdated or -_lastUpdated, not '{sort}': add _type to search the other types alone.",
                "_sort"),
        };
    }

    private static KeyValuePair<string, string>[] Paged(int offset, int count) =>
        [new("_offset", offset.ToString(CultureInfo.InvariantCulture)), new("_count", count.ToString(CultureInfo.InvariantCulture)), new("_total", "none")];

    /// <summary>The parameters with every given key set to the given value alone.</summary>
    private static List<KeyValuePair<string, string>> With(IReadOnlyList<KeyValuePair<string, string>> parameters, params KeyValuePair<string, string>[] values) =>
        [.. parameters.Where(p => values.All(v => v.Key != p.Key.Trim())), .. values];

    private static bool IsControl(string key) =>
        FilterCompiler.SplitModifier(key).Code is "_total" or "_summary" or "_elements" or "_sort" or "_include" or "_revinclude";
}
