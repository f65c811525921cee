using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>Turns the FHIRPath results of one parameter into distinct index rows of the table its type uses.</summary>
internal static class IndexRows
{
    /// <param name="entity">The version that receives the rows.</param>
    /// <param name="code">The rows' Param: the parameter code, or a composite component's <see cref="CompositeComponent.RowParam"/>.</param>
    /// <param name="searchType">Which table and extraction the values get.</param>
    /// <param name="values">The FHIRPath results.</param>
    /// <param name="group">The element instance the rows belong to (see <see cref="IndexEntity.Group"/>); 0 for a plain parameter.</param>
    /// <returns>How many rows were added, so a composite can drop an instance that lacks one of its parts.</returns>
    public static int Add(ResourceEntity entity, string code, SearchParamType searchType, IReadOnlyList<Base> values, int group = 0)
    {
        var type = entity.ResourceType;
        var before = Count(entity);
        switch (searchType)
        {
            case SearchParamType.String:
                foreach (var (normalized, exact) in values.SelectMany(StringValues.From)
                             .Select(v => (Normalized: StringNormalizer.Normalize(v), Exact: StringNormalizer.Truncate(v)))
                             .Where(v => v.Normalized.Length > 0)
                             .Distinct())
                {
                    entity.StringIndices.Add(new StringIndexEntity { ResourceType = type, Param = code, Group = group, Normalized = normalized, Exact = exact });
                }

                break;

            case SearchParamType.Token:
                foreach (var token in values.SelectMany(TokenValue.From).Distinct())
                {
                    // :text compares folded prefixes, so the display is stored folded too.
                    var text = token.Text is null ? null : StringNormalizer.Normalize(token.Text);
                    entity.TokenIndices.Add(new TokenIndexEntity { ResourceType = type, Param = code, Group = group, System = token.System, Code = token.Code, Text = text });
                }

                break;

            case SearchParamType.Date:
                foreach (var range in values.SelectMany(DateValues.From).Distinct())
                {
                    entity.DateIndices.Add(new DateIndexEntity { ResourceType = type, Param = code, Group = group, Start = range.StartTicks, End = range.EndTicks });
                }

                break;

            case SearchParamType.Reference:
                foreach (var reference in values.SelectMany(ReferenceValue.From).Distinct())
                {
                    entity.ReferenceIndices.Add(new ReferenceIndexEntity
                    {
                        ResourceType = type,
                        Param = code,
                        Group = group,
                        TargetType = reference.TargetType,
                        TargetId = reference.TargetId,
                        Url = reference.Url,
                        IdentifierSystem = reference.IdentifierSystem,
                        IdentifierValue = reference.IdentifierValue,
                    });
                }

                break;

            case SearchParamType.Quantity:
                foreach (var quantity in values.SelectMany(QuantityValue.From).Distinct())
                {
                    entity.QuantityIndices.Add(new QuantityIndexEntity
                    {
                        ResourceType = type,
                        Param = code,
                        Group = group,
                        System = quantity.System,
                        Code = quantity.Code,
                        Value = quantity.Value,
                        Low = quantity.Low,
                        High = quantity.High,
                    });
                }

                break;

            case SearchParamType.Number:
                foreach (var number in values.SelectMany(NumberValue.From).Distinct())
                {
                    entity.NumberIndices.Add(new NumberIndexEntity { ResourceType = type, Param = code, Group = group, Value = number.Value, Low = number.Low, High = number.High });
                }

                break;

            case SearchParamType.Uri:
                foreach (var uri in values.SelectMany(UriValues.From).Distinct(StringComparer.Ordinal))
                {
                    entity.UriIndices.Add(new UriIndexEntity { ResourceType = type, Param = code, Group = group, Uri = uri });
                }

                break;
        }

        return Count(entity) - before;
    }

    private static int Count(ResourceEntity entity) =>
        entity.StringIndices.Count + entity.TokenIndices.Count + entity.DateIndices.Count + entity.ReferenceIndices.Count +
        entity.QuantityIndices.Count + entity.NumberIndices.Count + entity.UriIndices.Count;
}
