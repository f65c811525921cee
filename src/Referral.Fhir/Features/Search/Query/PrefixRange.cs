using System.Text;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// "Starts with" as a range for SQLite: <c>value &gt;= prefix AND value &lt; Successor(prefix)</c>. With the binary
/// collation SQLite compares UTF-8 bytes, whose order is code-point order, so the range holds exactly the values that
/// start with the prefix, and the column's index can seek it. EF Core's own translation of <c>StartsWith</c> is a
/// <c>LIKE</c> with a bound pattern, which SQLite cannot seek with a binary index, which is case-insensitive for ASCII,
/// and whose bound pattern makes SQLite compile the whole statement again on every execution (its plan may depend on the
/// pattern): for a string search that was most of its database time.
/// </summary>
internal static class PrefixRange
{
    /// <summary>
    /// The smallest string greater than every string starting with <paramref name="prefix"/>: the prefix with its last
    /// code point incremented (skipping the surrogate range). Null when there is none (an empty prefix, or one ending
    /// in U+10FFFF), where the caller falls back to <c>StartsWith</c>.
    /// </summary>
    public static string? Successor(string prefix)
    {
        if (prefix.Length == 0 || !Rune.TryGetRuneAt(prefix, prefix.Length - LastRuneLength(prefix), out var last) || last.Value == 0x10FFFF)
        {
            return null;
        }

        var next = last.Value + 1 == 0xD800 ? new Rune(0xE000) : new Rune(last.Value + 1);
        return string.Concat(prefix.AsSpan(0, prefix.Length - last.Utf16SequenceLength), next.ToString());
    }

    private static int LastRuneLength(string text) =>
        text.Length >= 2 && char.IsSurrogatePair(text[^2], text[^1]) ? 2 : 1;
}
