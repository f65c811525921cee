using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.SeparateStores;

namespace Referral.Fhir.Api;

/// <summary>Reads <c>_count</c> and <c>_offset</c> for the interactions that page outside search (history, $everything).</summary>
public static class Paging
{
    public static int Count(StringValues value, FhirOptions options)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return options.DefaultPageSize;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? Math.Min(count, options.MaxPageSize)
            : throw new BadRequestException($"_count '{value}' is not a non-negative integer.", "_count");
    }

    /// <summary>The start of a <c>_since</c> instant in UTC ticks, or null when absent.</summary>
    public static long? SinceTicks(StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return null;
        }

        return Features.Search.DateRange.TryParse(value, out var range)
            ? range.StartTicks
            : throw new BadRequestException($"_since '{value}' is not a FHIR instant.", "_since");
    }

    /// <summary>
    /// The versions a history request pages through: from <c>_since</c>, up to <c>_until</c> (which the paging links
    /// carry: the instant of the first page), else up to now.
    /// </summary>
    public static HistoryWindow Window(IQueryCollection query, TimeProvider clock)
    {
        var until = query["_until"];
        long? untilTicks = StringValues.IsNullOrEmpty(until)
            ? null
            : Features.Search.DateRange.TryParse(until, out var range)
                ? range.EndTicks
                : throw new BadRequestException($"_until '{until}' is not a FHIR instant.", "_until");
        return new HistoryWindow(SinceTicks(query["_since"]), untilTicks ?? clock.GetUtcNow().UtcTicks);
    }

    /// <summary>A window's upper bound as the <c>_until</c> instant of a paging link, to the tick.</summary>
    public static string Until(HistoryWindow window) =>
        new DateTime(window.UntilTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static int Offset(StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return 0;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : throw new BadRequestException($"_offset '{value}' is not a non-negative integer.", "_offset");
    }
}
