using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>
/// Index rows of a composite parameter: per instance of its base expression (each Observation, each
/// Observation.component), one set of rows per component, all with that instance's group number, so a search
/// matches the parts of one value within one instance and never across instances.
/// </summary>
internal static class CompositeRows
{
    /// <param name="entity">The version that receives the rows.</param>
    /// <param name="parameter">The composite parameter.</param>
    /// <param name="components">Per base instance, the FHIRPath results of each component, in component order.</param>
    public static void Add(ResourceEntity entity, SearchParameterInfo parameter, IEnumerable<IReadOnlyList<IReadOnlyList<Base>>> components)
    {
        var group = 0;
        foreach (var instance in components)
        {
            // Groups start at 1, so composite rows never share the 0 of plain rows.
            group++;
            var staged = new ResourceEntity { ResourceType = entity.ResourceType, ResourceId = entity.ResourceId, Method = "", Json = "" };
            var complete = true;
            for (var index = 0; index < parameter.Components.Count && complete; index++)
            {
                complete = IndexRows.Add(staged, CompositeComponent.RowParam(parameter.Code, index), parameter.Components[index].Type, instance[index], group) > 0;
            }

            // An instance missing a part can match no composite value, so its other parts would only be dead rows.
            if (complete)
            {
                MoveRows(staged, entity);
            }
        }
    }

    /// <summary>
    /// <c>identifier:of-type</c> is a composite in all but name (the identifier's type coding with its value, within one
    /// Identifier), so typed identifiers get rows like those of a two-part composite named <c>{code}:of-type</c>.
    /// </summary>
    public static void AddIdentifierTypes(ResourceEntity entity, string code, IReadOnlyList<Base> values)
    {
        var typed = values.OfType<Identifier>()
            .Where(i => i.Type is { Coding.Count: > 0 } && !string.IsNullOrWhiteSpace(i.Value))
            .Select(i => (IReadOnlyList<IReadOnlyList<Base>>)[[.. i.Type!.Coding], [new FhirString(i.Value)]]);
        Add(entity, OfType(code), typed);
    }

    /// <summary>The row Param prefix of the <c>:of-type</c> rows of a token parameter.</summary>
    public static string OfTypeCode(string code) => code + ":of-type";

    private static SearchParameterInfo OfType(string code) =>
        new(OfTypeCode(code), "", SearchParamType.Composite, null, [], "",
            [new CompositeComponent(SearchParamType.Token, "type", ""), new CompositeComponent(SearchParamType.Token, "value", "")]);

    private static void MoveRows(ResourceEntity from, ResourceEntity to)
    {
        to.StringIndices.AddRange(from.StringIndices);
        to.TokenIndices.AddRange(from.TokenIndices);
        to.DateIndices.AddRange(from.DateIndices);
        to.ReferenceIndices.AddRange(from.ReferenceIndices);
        to.QuantityIndices.AddRange(from.QuantityIndices);
        to.NumberIndices.AddRange(from.NumberIndices);
        to.UriIndices.AddRange(from.UriIndices);
    }
}
