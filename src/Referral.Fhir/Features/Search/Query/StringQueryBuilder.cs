using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>String search: starts-with on the case/accent-folded value, <c>:exact</c>, <c>:contains</c>, <c>:missing</c>.</summary>
internal sealed class StringQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["exact", "contains", "missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<StringIndexEntity>(query),
        "exact" => IndexRows.MatchAny<StringIndexEntity>(query, raw =>
        {
            var exact = StringNormalizer.Truncate(SearchValueSyntax.Unescape(raw));
            return i => i.Exact == exact;
        }),
        "contains" => IndexRows.MatchAny<StringIndexEntity>(query, raw =>
        {
            var normalized = StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw));
            return i => i.Normalized.Contains(normalized);
        }),
        _ => IndexRows.MatchAny<StringIndexEntity>(query, raw => StartsWith(query.Db, StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw)))),
    };

    /// <summary>The default string match of one (normalized) value; also a string component of a composite.</summary>
    public static Expression<Func<StringIndexEntity, bool>> StartsWith(FhirDbContext db, string prefix)
    {
        if (!db.OnSqlite || PrefixRange.Successor(prefix) is not { } upper)
        {
            return i => i.Normalized.StartsWith(prefix);
        }

        // Normalized values are compared byte for byte (binary collation), so the range is the exact prefix match.
        return i => string.Compare(i.Normalized, prefix) >= 0 && string.Compare(i.Normalized, upper) < 0;
    }
}
