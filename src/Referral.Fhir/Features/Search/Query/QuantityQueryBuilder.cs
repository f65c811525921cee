using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Quantity search: <c>[prefix]value</c>, <c>value|system|code</c> and <c>value||code</c> (unit code in any system).</summary>
internal sealed class QuantityQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier == "missing"
        ? IndexRows.Missing<QuantityIndexEntity>(query)
        : IndexRows.MatchAny<QuantityIndexEntity>(query, raw => Match(raw, query.Name));

    /// <summary>One quantity value; also a quantity component of a composite.</summary>
    public static Expression<Func<QuantityIndexEntity, bool>> Match(string raw, string name)
    {
        var parts = SearchValueSyntax.SplitPipes(raw);
        if (parts.Count is not (1 or 3))
        {
            throw new BadRequestException($"'{raw}' is not a valid quantity for '{name}': expected [number]|[system]|[code].", name);
        }

        var (prefix, literal) = SearchPrefixParser.Parse(parts[0]);
        var value = NumberQueryBuilder.Match<QuantityIndexEntity>(prefix, literal, name, i => i.Low, i => i.High);
        if (parts.Count == 1)
        {
            return value;
        }

        var (system, code) = (parts[1], parts[2]);
        Expression<Func<QuantityIndexEntity, bool>>? unit = (system.Length, code.Length) switch
        {
            (0, 0) => null,
            (0, _) => i => i.Code == code,
            (_, 0) => i => i.System == system,
            _ => i => i.System == system && i.Code == code,
        };
        return unit is null ? value : PredicateComposition.And([value, unit]);
    }
}
