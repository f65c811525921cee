using System.Globalization;

namespace Referral.Fhir.Features.Search;

/// <summary>
/// A decimal with its implicit precision: "100" means [99.5, 100.5), "1.50" means [1.495, 1.505), as FHIR number and
/// quantity search define equality.
/// </summary>
public readonly record struct DecimalRange(decimal Value, decimal Low, decimal High)
{
    public static bool TryParse(string? text, out DecimalRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text) ||
            !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        range = FromValue(value, text);
        return true;
    }

    /// <summary>The range of a stored value, whose precision is the number of digits it was written with.</summary>
    public static DecimalRange FromValue(decimal value, string? written = null)
    {
        written ??= value.ToString(CultureInfo.InvariantCulture);
        var exponentAt = written.IndexOfAny(['e', 'E']);
        var mantissa = exponentAt >= 0 ? written[..exponentAt] : written;
        var exponent = exponentAt >= 0 ? int.Parse(written[(exponentAt + 1)..], CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var decimals = (point >= 0 ? mantissa.Length - point - 1 : 0) - exponent;
        var half = 0.5m * Pow10(-decimals);
        return new DecimalRange(value, value - half, value + half);
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent) && i < 28; i++)
        {
            result = exponent > 0 ? result * 10 : result / 10;
        }

        return result;
    }
}
