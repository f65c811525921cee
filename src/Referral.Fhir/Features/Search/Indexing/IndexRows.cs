using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>Turns the FHIRPath results of one parameter into distinct index rows of the table its type uses.</summary>
internal static class IndexRows
{
    public static void Add(ResourceEntity entity, SearchParameterInfo parameter, IReadOnlyList<Base> values)
    {
        var type = entity.ResourceType;
        var code = parameter.Code;
        switch (parameter.Type)
        {
            case SearchParamType.String:
                foreach (var (normalized, exact) in values.SelectMany(StringValues.From)
                             .Select(v => (Normalized: StringNormalizer.Normalize(v), Exact: StringNormalizer.Truncate(v)))
                             .Where(v => v.Normalized.Length > 0)
                             .Distinct())
                {
                    entity.StringIndices.Add(new StringIndexEntity { ResourceType = type, Param = code, Normalized = normalized, Exact = exact });
                }

                break;

            case SearchParamType.Token:
                foreach (var token in values.SelectMany(TokenValue.From).Distinct())
                {
                    entity.TokenIndices.Add(new TokenIndexEntity { ResourceType = type, Param = code, System = token.System, Code = token.Code, Text = token.Text });
                }

                break;

            case SearchParamType.Date:
                foreach (var range in values.SelectMany(DateValues.From).Distinct())
                {
                    entity.DateIndices.Add(new DateIndexEntity { ResourceType = type, Param = code, Start = range.StartTicks, End = range.EndTicks });
                }

                break;

            case SearchParamType.Reference:
                foreach (var reference in values.SelectMany(ReferenceValue.From).Distinct())
                {
                    entity.ReferenceIndices.Add(new ReferenceIndexEntity
                    {
                        ResourceType = type,
                        Param = code,
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
                    entity.NumberIndices.Add(new NumberIndexEntity { ResourceType = type, Param = code, Value = number.Value, Low = number.Low, High = number.High });
                }

                break;

            case SearchParamType.Uri:
                foreach (var uri in values.SelectMany(UriValues.From).Distinct(StringComparer.Ordinal))
                {
                    entity.UriIndices.Add(new UriIndexEntity { ResourceType = type, Param = code, Uri = uri });
                }

                break;
        }
    }
}
