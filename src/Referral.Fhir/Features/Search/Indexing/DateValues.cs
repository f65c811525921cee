using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>The time ranges a date search parameter matches in one FHIRPath result.</summary>
internal static class DateValues
{
    public static IEnumerable<DateRange> From(Base value) => value switch
    {
        Period period => FromPeriod(period),
        Timing timing => FromTiming(timing),

        // The literal keeps the precision ("2021" is a whole year), which the parsed .NET values lose.
        PrimitiveType { JsonValue: not null } primitive when DateRange.TryParse(primitive.ToString(), out var range) => [range],
        _ => [],
    };

    private static IEnumerable<DateRange> FromPeriod(Period period)
    {
        var hasStart = DateRange.TryParse(period.Start, out var start);
        var hasEnd = DateRange.TryParse(period.End, out var end);
        if (!hasStart && !hasEnd)
        {
            return [];
        }

        return [new DateRange(hasStart ? start.Start : DateTime.MinValue, hasEnd ? end.End : DateTime.MaxValue)];
    }

    private static IEnumerable<DateRange> FromTiming(Timing timing)
    {
        foreach (var occurrence in timing.Event)
        {
            if (DateRange.TryParse(occurrence, out var range))
            {
                yield return range;
            }
        }

        if (timing.Repeat?.Bounds is Period bounds)
        {
            foreach (var range in FromPeriod(bounds))
            {
                yield return range;
            }
        }
    }
}
