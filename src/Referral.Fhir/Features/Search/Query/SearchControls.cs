using System.Globalization;
using Referral.Fhir.Errors;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// The values of the result-shaping parameters (<c>_count</c>, <c>_offset</c>, <c>_total</c>, <c>_summary</c>,
/// <c>_elements</c>), read the same way by the store's search and by any other searchable source (the audit trail).
/// A value that does not parse is a 400 naming the parameter.
/// </summary>
public static class SearchControls
{
    private static readonly HashSet<string> SummaryValues = new(StringComparer.Ordinal) { "true", "false", "text", "data", "count" };

    public static int NonNegative(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new BadRequestException($"'{value}' is not a valid {key}: expected a non-negative integer.", key);

    public static TotalMode Total(string key, string value) => value switch
    {
        "none" => TotalMode.None,
        "estimate" => TotalMode.Estimate,
        "accurate" => TotalMode.Accurate,
        _ => throw new BadRequestException($"'{value}' is not a valid _total: expected none, estimate or accurate.", key),
    };

    public static string Summary(string key, string value) =>
        SummaryValues.Contains(value)
            ? value
            : throw new BadRequestException($"'{value}' is not a valid _summary: expected true, false, text, data or count.", key);

    public static IReadOnlyList<string> Elements(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
