using System.Globalization;
using Microsoft.Extensions.Primitives;
using Referral.Fhir.Errors;

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
