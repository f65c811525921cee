using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Token search: <c>code</c>, <c>system|code</c>, <c>|code</c>, <c>system|</c>, and <c>:not</c>, <c>:text</c>, <c>:missing</c>.</summary>
internal sealed class TokenQueryBuilder : IParameterQueryBuilder
{
    public bool Supports(string? modifier) => modifier is null or "not" or "text" or "missing";

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<TokenIndexEntity>(query),
        "text" => IndexRows.MatchAny<TokenIndexEntity>(query, raw =>
        {
            var text = StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw));
            // Text is stored through the same StringNormalizer, so a prefix comparison is case and accent insensitive.
            return i => i.Text != null && i.Text.StartsWith(text);
        }),
        // :not keeps resources with no matching code, including those without the element at all.
        "not" => PredicateComposition.Not(IndexRows.MatchAny<TokenIndexEntity>(query, raw => MatchCode(raw, query.Name))),
        _ => IndexRows.MatchAny<TokenIndexEntity>(query, raw => MatchCode(raw, query.Name)),
    };

    private static Expression<Func<TokenIndexEntity, bool>> MatchCode(string raw, string name)
    {
        var parts = SearchValueSyntax.SplitPipes(raw);
        if (parts.Count == 1)
        {
            var code = parts[0];
            return i => i.Code == code;
        }

        if (parts.Count != 2)
        {
            throw new BadRequestException($"'{raw}' is not a valid token for '{name}': expected [system]|[code].", name);
        }

        var (system, value) = (parts[0], parts[1]);
        if (system.Length == 0)
        {
            return i => (i.System == null || i.System == "") && i.Code == value;
        }

        if (value.Length == 0)
        {
            return i => i.System == system;
        }

        return i => i.System == system && i.Code == value;
    }
}
