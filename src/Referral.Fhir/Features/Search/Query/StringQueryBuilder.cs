using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>String search: starts-with on the case/accent-folded value, <c>:exact</c>, <c>:contains</c>, <c>:missing</c>.</summary>
internal sealed class StringQueryBuilder : IParameterQueryBuilder
{
    public bool Supports(string? modifier) => modifier is null or "exact" or "contains" or "missing";

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
        _ => IndexRows.MatchAny<StringIndexEntity>(query, raw =>
        {
            var normalized = StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw));
            return i => i.Normalized.StartsWith(normalized);
        }),
    };
}
