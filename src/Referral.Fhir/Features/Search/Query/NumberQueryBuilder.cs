using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Number search: the prefixes as comparisons of the value's implicit precision range with the stored [Low, High].</summary>
internal sealed class NumberQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier == "missing"
        ? IndexRows.Missing<NumberIndexEntity>(query)
        : IndexRows.MatchAny<NumberIndexEntity>(query, raw =>
        {
            var (prefix, literal) = SearchPrefixParser.Parse(SearchValueSyntax.Unescape(raw));
            return Match<NumberIndexEntity>(prefix, literal, query.Name, i => i.Low, i => i.High);
        });

    /// <summary>Also used for the value part of a quantity.</summary>
    public static Expression<Func<T, bool>> Match<T>(SearchPrefix prefix, string literal, string name, Expression<Func<T, double>> low, Expression<Func<T, double>> high)
    {
        if (!DecimalRange.TryParse(literal, out var range))
        {
            throw new BadRequestException($"'{literal}' is not a valid number for '{name}'.", name);
        }

        // "ap" is left to the server; the specification suggests 10% of the value.
        var margin = Math.Abs(range.Value) / 10;
        return RangeMatch.Build(low, high, prefix, ((double)range.Low, (double)range.High), ((double)(range.Low - margin), (double)(range.High + margin)));
    }
}
