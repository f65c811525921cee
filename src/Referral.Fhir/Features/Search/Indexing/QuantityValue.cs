using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>One quantity index value: the value with its precision range and its unit (or currency).</summary>
internal readonly record struct QuantityValue(string? System, string? Code, double Value, double Low, double High)
{
    private const string CurrencySystem = "urn:iso:std:iso:4217";

    public static IEnumerable<QuantityValue> From(Base value) => value switch
    {
        // Age, Distance, Duration, Count and SimpleQuantity derive from Quantity.
        Quantity quantity => FromQuantity(quantity),
        Money { Value: { } amount } money => [Create(CurrencySystem, money.CurrencyElement?.ToString(), DecimalRange.FromValue(amount))],
        Hl7.Fhir.Model.Range range => FromRange(range),
        _ => [],
    };

    private static IEnumerable<QuantityValue> FromQuantity(Quantity quantity)
    {
        if (quantity.Value is not { } amount)
        {
            return [];
        }

        var range = DecimalRange.FromValue(amount);
        var value = Create(quantity.System, quantity.Code ?? quantity.Unit, range);

        // "<5 mg" covers everything below 5, not just the precision interval around it.
        return quantity.Comparator switch
        {
            Quantity.QuantityComparator.LessThan or Quantity.QuantityComparator.LessOrEqual => [value with { Low = double.MinValue }],
            Quantity.QuantityComparator.GreaterThan or Quantity.QuantityComparator.GreaterOrEqual => [value with { High = double.MaxValue }],
            _ => [value],
        };
    }

    private static IEnumerable<QuantityValue> FromRange(Hl7.Fhir.Model.Range range)
    {
        var low = range.Low?.Value is { } lowValue ? DecimalRange.FromValue(lowValue) : (DecimalRange?)null;
        var high = range.High?.Value is { } highValue ? DecimalRange.FromValue(highValue) : (DecimalRange?)null;
        if (low is null && high is null)
        {
            return [];
        }

        var unit = range.Low?.Value is not null ? range.Low : range.High;
        return
        [
            new QuantityValue(
                ColumnText.Clip(unit!.System),
                ColumnText.Clip(unit.Code ?? unit.Unit, ColumnText.UnitCodeLength),
                (double)(low ?? high)!.Value.Value,
                low is { } l ? (double)l.Low : double.MinValue,
                high is { } h ? (double)h.High : double.MaxValue),
        ];
    }

    private static QuantityValue Create(string? system, string? code, DecimalRange range) => new(
        ColumnText.Clip(system),
        ColumnText.Clip(code, ColumnText.UnitCodeLength),
        (double)range.Value,
        (double)range.Low,
        (double)range.High);
}
