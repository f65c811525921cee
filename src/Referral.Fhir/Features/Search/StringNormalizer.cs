using System.Globalization;
using System.Text;

namespace Referral.Fhir.Features.Search;

/// <summary>Folds case and accents the way FHIR string search expects ("Müller" matches <c>name=muller</c>); used on both index and query side.</summary>
public static class StringNormalizer
{
    /// <summary>Longest value kept in an index column; longer values are matched on their prefix.</summary>
    public const int MaxLength = 256;

    public static string Normalize(string value)
    {
        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return Truncate(builder.ToString().Normalize(NormalizationForm.FormC).Trim());
    }

    public static string Truncate(string value) => value.Length <= MaxLength ? value : value[..MaxLength];
}
