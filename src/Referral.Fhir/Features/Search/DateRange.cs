using System.Globalization;
using System.Text.RegularExpressions;

namespace Referral.Fhir.Features.Search;

/// <summary>
/// A FHIR date/dateTime/instant as the closed UTC interval it covers: "2021" is the whole year, "2021-03-04" the whole day.
/// Index rows and query values both become ranges, so every date prefix is a comparison of two ranges.
/// </summary>
public readonly partial record struct DateRange(DateTime Start, DateTime End)
{
    public long StartTicks => Start.Ticks;

    public long EndTicks => End.Ticks;

    public static DateRange Everything => new(DateTime.MinValue, DateTime.MaxValue);

    /// <summary>Parses a FHIR date, dateTime or instant literal; values without a zone are read as UTC.</summary>
    public static bool TryParse(string? value, out DateRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var match = FhirDatePattern().Match(value.Trim());
        if (!match.Success)
        {
            return false;
        }

        try
        {
            var year = int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["m"].Success)
            {
                var start = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                range = new DateRange(start, LastTickOf(start, s => s.AddYears(1)));
                return true;
            }

            var month = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["d"].Success)
            {
                var start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
                range = new DateRange(start, LastTickOf(start, s => s.AddMonths(1)));
                return true;
            }

            var day = int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["time"].Success)
            {
                var start = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
                range = new DateRange(start, LastTickOf(start, s => s.AddDays(1)));
                return true;
            }

            var offset = TimeSpan.Zero;
            var zone = match.Groups["tz"].Value;
            if (zone.Length > 1)
            {
                offset = TimeSpan.ParseExact(zone[1..], @"hh\:mm", CultureInfo.InvariantCulture);
                if (zone[0] == '-')
                {
                    offset = -offset;
                }
            }

            var hour = int.Parse(match.Groups["hh"].Value, CultureInfo.InvariantCulture);
            var minute = int.Parse(match.Groups["mm"].Value, CultureInfo.InvariantCulture);
            var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
            if (!match.Groups["ss"].Success)
            {
                var startOfMinute = new DateTimeOffset(local, offset).UtcDateTime;
                range = new DateRange(startOfMinute, LastTickOf(startOfMinute, s => s.AddMinutes(1)));
                return true;
            }

            var second = int.Parse(match.Groups["ss"].Value, CultureInfo.InvariantCulture);
            var startOfSecond = new DateTimeOffset(local.AddSeconds(second), offset).UtcDateTime;
            var fraction = match.Groups["f"].Value;
            if (fraction.Length == 0)
            {
                range = new DateRange(startOfSecond, LastTickOf(startOfSecond, s => s.AddSeconds(1)));
                return true;
            }

            // A fraction is precise to its last digit: .5 covers [.5, .6).
            var digits = Math.Min(fraction.Length, 7);
            var ticks = long.Parse(fraction[..digits], CultureInfo.InvariantCulture) * (long)Math.Pow(10, 7 - digits);
            var step = (long)Math.Pow(10, 7 - digits);
            var start2 = startOfSecond.AddTicks(ticks);
            range = new DateRange(start2, start2.AddTicks(step - 1));
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    // The last year, month or day of the calendar has no successor to step back from; it ends at DateTime.MaxValue.
    private static DateTime LastTickOf(DateTime start, Func<DateTime, DateTime> next)
    {
        try
        {
            return next(start).AddTicks(-1);
        }
        catch (ArgumentOutOfRangeException)
        {
            return DateTime.MaxValue;
        }
    }

    [GeneratedRegex(@"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2})(?<time>T(?<hh>\d{2}):(?<mm>\d{2})(:(?<ss>\d{2})(\.(?<f>\d+))?)?(?<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")]
    private static partial Regex FhirDatePattern();
}
