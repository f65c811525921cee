namespace Referral.Fhir.Tests.Search.Query;

/// <summary>One search against <see cref="SearchTestData"/> and the ids it must return.</summary>
/// <param name="Name">What the case shows, used as the theory's data row.</param>
/// <param name="Type">The resource type searched; null for a search across all types.</param>
/// <param name="Query">The query string as typed, unencoded: <c>a=b&amp;c=d</c>.</param>
/// <param name="Expected">The ids of the page, compared in order when <paramref name="Ordered"/>, else as a set.</param>
/// <param name="Ordered">Whether the order of <paramref name="Expected"/> is part of the behaviour.</param>
/// <param name="Included">The ids of the _include/_revinclude results, as a set; null to not check.</param>
/// <param name="Total">The expected total; null to not check.</param>
/// <param name="HasMore">The expected "more pages" flag; null to not check.</param>
public sealed record SearchCase(
    string Name,
    string? Type,
    string Query,
    string[] Expected,
    bool Ordered = false,
    string[]? Included = null,
    int? Total = null,
    bool? HasMore = null)
{
    public IReadOnlyList<KeyValuePair<string, string>> Parameters => ParseQuery(Query);

    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => new KeyValuePair<string, string>(parts[0], parts.Length > 1 ? parts[1] : ""))
            .ToArray();

    public override string ToString() => Name;
}
