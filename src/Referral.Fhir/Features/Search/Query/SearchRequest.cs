using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>A search query, parsed: the filters (ANDed) plus paging, sorting, includes and the result-shaping parameters.</summary>
internal sealed record SearchRequest(
    SearchScope Scope,
    IReadOnlyList<Expression<Func<ResourceEntity, bool>>> Filters,
    int Count,
    int Offset,
    IReadOnlyList<SortKey> Sort,
    TotalMode Total,
    string? Summary,
    IReadOnlyList<string>? Elements,
    IReadOnlyList<IncludeSpec> Includes,
    IReadOnlyList<KeyValuePair<string, string>> Applied,
    IReadOnlyList<string> Ignored)
{
    /// <summary><c>_summary=count</c> and <c>_count=0</c> ask for the total only.</summary>
    public bool TotalOnly => Summary == "count" || Count == 0;
}
