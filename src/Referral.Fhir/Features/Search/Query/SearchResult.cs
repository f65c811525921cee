using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>One page of a search: the matches in sort order, the resources pulled in by _include/_revinclude, and what was applied.</summary>
/// <param name="Matches">The page, in sort order.</param>
/// <param name="Included">_include/_revinclude results, de-duplicated, excluding matches.</param>
/// <param name="Total">The number of matches over all pages; null when <c>_total=none</c>.</param>
/// <param name="Offset">Index of the first match of this page.</param>
/// <param name="Count">The page size used.</param>
/// <param name="HasMore">Whether there are matches after this page.</param>
/// <param name="AppliedParameters">The parameters used, normalized, without <c>_count</c>/<c>_offset</c> (those are <paramref name="Offset"/>/<paramref name="Count"/>), for building self/next links.</param>
/// <param name="IgnoredParameters">Unknown or unsupported parameters skipped under lenient handling.</param>
/// <param name="Summary">The <c>_summary</c> value, for the serializer.</param>
/// <param name="Elements">The <c>_elements</c> values, for the serializer.</param>
public sealed record SearchResult(
    IReadOnlyList<ResourceEntity> Matches,
    IReadOnlyList<ResourceEntity> Included,
    int? Total,
    int Offset,
    int Count,
    bool HasMore,
    IReadOnlyList<KeyValuePair<string, string>> AppliedParameters,
    IReadOnlyList<string> IgnoredParameters,
    string? Summary,
    IReadOnlyList<string>? Elements);
