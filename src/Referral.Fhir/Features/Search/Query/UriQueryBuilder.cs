using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Uri search: equality, <c>:below</c> (stored uri starts with the value), <c>:above</c> (the value starts with the stored uri), <c>:missing</c>.</summary>
internal sealed class UriQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["below", "above", "missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<UriIndexEntity>(query),
        "below" => IndexRows.MatchAny<UriIndexEntity>(query, raw =>
        {
            var uri = SearchValueSyntax.Unescape(raw);
            // Uris match case-sensitively: on SQLite a byte range (see PrefixRange), not its ASCII-case-blind LIKE.
            if (query.Db.OnSqlite && PrefixRange.Successor(uri) is { } upper)
            {
                return i => string.Compare(i.Uri, uri) >= 0 && string.Compare(i.Uri, upper) < 0;
            }

            return i => i.Uri.StartsWith(uri);
        }),
        "above" => IndexRows.MatchAny<UriIndexEntity>(query, raw =>
        {
            var ancestors = Ancestors(SearchValueSyntax.Unescape(raw));
            return i => ancestors.Contains(i.Uri);
        }),
        _ => IndexRows.MatchAny<UriIndexEntity>(query, raw =>
        {
            var uri = SearchValueSyntax.Unescape(raw);
            return i => i.Uri == uri;
        }),
    };

    // The value and every path prefix of it (cut at '/'), so ":above" is an IN list the uri index can seek, not a
    // reversed LIKE per row.
    private static List<string> Ancestors(string uri)
    {
        var result = new List<string> { uri };
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var from = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        for (var slash = uri.IndexOf('/', from); slash >= 0; slash = uri.IndexOf('/', slash + 1))
        {
            result.Add(uri[..slash]);
            result.Add(uri[..(slash + 1)]);
        }

        return result.Distinct(StringComparer.Ordinal).ToList();
    }
}
