using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Composite search, <c>code-value-quantity=http://loinc.org|8480-6$gt140</c>: the value's parts ('$'-separated, in
/// component order) must all match within one instance of the parameter's base expression (one Observation, one
/// Observation.component), never one part here and another there. Comma-separated values are alternatives.
/// </summary>
internal sealed class CompositeQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = [];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query)
    {
        var components = query.Parameter.Components;
        return PredicateComposition.Or(query.Values.Select(value =>
        {
            var parts = SearchValueSyntax.Split(value, '$');
            if (parts.Count != components.Count || parts.Any(p => p.Length == 0))
            {
                throw new BadRequestException(
                    $"'{value}' is not a valid value for '{query.Name}': expected {components.Count} parts separated by '$'.", query.Name);
            }

            var criteria = parts
                .Select((part, index) => ComponentCriterion.For(query, components[index].Type, CompositeComponent.RowParam(query.Parameter.Code, index), part))
                .ToList();
            return criteria[0].With(criteria.Skip(1));
        }));
    }
}
