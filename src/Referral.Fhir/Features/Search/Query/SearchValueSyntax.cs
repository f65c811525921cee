using System.Text;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>FHIR's escaping in search values: <c>\,</c> <c>\|</c> <c>\$</c> and <c>\\</c> are literal characters, not separators.</summary>
public static class SearchValueSyntax
{
    /// <summary>Splits on unescaped <paramref name="separator"/>; the parts keep their escapes so they can be split again.</summary>
    public static IReadOnlyList<string> Split(string value, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == separator)
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }

        parts.Add(value[start..]);
        return parts;
    }

    public static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            builder.Append(value[i]);
        }

        return builder.ToString();
    }

    /// <summary>Splits a <c>a|b</c> (or <c>a|b|c</c>) value into unescaped parts.</summary>
    public static IReadOnlyList<string> SplitPipes(string value) =>
        Split(value, '|').Select(Unescape).ToArray();
}
