using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Token search: <c>code</c>, <c>system|code</c>, <c>|code</c>, <c>system|</c>, and the modifiers <c>:not</c>,
/// <c>:text</c>, <c>:missing</c>, <c>:of-type</c> (identifiers), <c>:in</c>/<c>:not-in</c> (a stored ValueSet) and
/// <c>:below</c>/<c>:above</c> (the hierarchy of a stored CodeSystem).
/// </summary>
internal sealed class TokenQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["not", "text", "missing", "of-type", "in", "not-in", "below", "above"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<TokenIndexEntity>(query),
        "text" => IndexRows.MatchAny<TokenIndexEntity>(query, raw =>
        {
            var text = StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw));
            // Text is stored through the same StringNormalizer, so a prefix comparison is case and accent insensitive.
            if (query.Db.OnSqlite && PrefixRange.Successor(text) is { } upper)
            {
                return i => i.Text != null && string.Compare(i.Text, text) >= 0 && string.Compare(i.Text, upper) < 0;
            }

            return i => i.Text != null && i.Text.StartsWith(text);
        }),
        // :not keeps resources with no matching code, including those without the element at all.
        "not" => PredicateComposition.Not(IndexRows.MatchAny<TokenIndexEntity>(query, raw => MatchCode(raw, query.Name))),
        "of-type" => PredicateComposition.Or(query.Values.Select(raw => OfType(query, raw))),
        "in" => IndexRows.MatchAny<TokenIndexEntity>(query, raw => InValueSet(query, raw)),
        // Like :not, :not-in keeps resources without the element: none of their codes is in the set.
        "not-in" => PredicateComposition.Not(IndexRows.MatchAny<TokenIndexEntity>(query, raw => InValueSet(query, raw))),
        "below" or "above" => IndexRows.MatchAny<TokenIndexEntity>(query, raw => InHierarchy(query, raw, query.Modifier == "below")),
        _ => IndexRows.MatchAny<TokenIndexEntity>(query, raw => MatchCode(raw, query.Name)),
    };

    /// <summary>One <c>[system|]code</c> value; also a token component of a composite.</summary>
    public static Expression<Func<TokenIndexEntity, bool>> MatchCode(string raw, string name)
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

    /// <summary><c>type-system|type-code|value</c>: an Identifier whose type has that coding and whose value is the value.</summary>
    private static Expression<Func<ResourceEntity, bool>> OfType(ParameterQuery query, string raw)
    {
        var parts = SearchValueSyntax.Split(raw, '|');
        if (parts.Count != 3 || parts.Any(p => p.Length == 0))
        {
            throw new BadRequestException($"'{raw}' is not a valid value for '{query.Name}': expected [type-system]|[type-code]|[value].", query.Name);
        }

        var rows = CompositeRows.OfTypeCode(query.Parameter.Code);
        var type = ComponentCriterion.For(query, Hl7.Fhir.Model.SearchParamType.Token, CompositeComponent.RowParam(rows, 0), $"{parts[0]}|{parts[1]}");
        var value = ComponentCriterion.For(query, Hl7.Fhir.Model.SearchParamType.Token, CompositeComponent.RowParam(rows, 1), parts[2]);
        return type.With([value]);
    }

    private static Expression<Func<TokenIndexEntity, bool>> InValueSet(ParameterQuery query, string raw) =>
        StoredTerminology.ValueSetCodes(query.Db, SearchValueSyntax.Unescape(raw), query.Name).Matches();

    private static Expression<Func<TokenIndexEntity, bool>> InHierarchy(ParameterQuery query, string raw, bool below)
    {
        var parts = SearchValueSyntax.SplitPipes(raw);
        if (parts.Count != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new BadRequestException($"'{raw}' is not a valid value for '{query.Name}': expected [system]|[code], the system naming a CodeSystem stored here.", query.Name);
        }

        return StoredTerminology.Hierarchy(query.Db, parts[0], parts[1], below, query.Name).Matches();
    }
}
