using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>One number index value with its precision range; integers are exact.</summary>
internal readonly record struct NumberValue(double Value, double Low, double High)
{
    public static IEnumerable<NumberValue> From(Base value) => value switch
    {
        FhirDecimal { Value: { } number } => [FromRange(DecimalRange.FromValue(number))],
        PrimitiveType { JsonValue: int number } => [new NumberValue(number, number, number)],
        Integer64 { Value: { } number } => [new NumberValue(number, number, number)],
        PrimitiveType { JsonValue: decimal number } => [FromRange(DecimalRange.FromValue(number))],
        _ => [],
    };

    private static NumberValue FromRange(DecimalRange range) => new((double)range.Value, (double)range.Low, (double)range.High);
}
