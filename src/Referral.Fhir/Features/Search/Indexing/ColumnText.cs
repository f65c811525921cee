namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>Fits values into the index columns' lengths; PostgreSQL rejects longer ones, and search matches on the prefix anyway.</summary>
internal static class ColumnText
{
    public const int ShortLength = 64;
    public const int UnitCodeLength = 128;
    public const int UrlLength = 512;

    /// <summary>Blank values become null so they never form rows of their own.</summary>
    public static string? Clip(string? value, int maxLength = StringNormalizer.MaxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return value.Length <= maxLength ? value : value[..maxLength];
    }
}
