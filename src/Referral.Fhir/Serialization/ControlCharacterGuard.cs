using System.Text.Json;

namespace Referral.Fhir.Serialization;

/// <summary>
/// Finds control characters that JSON lets through as escapes (<c>\u0000</c>, <c>\b</c>, …) but FHIR strings forbid
/// (only tab, CR and LF are allowed). PostgreSQL cannot store NUL in text at all, so letting one through turned a
/// bad request into a server error; XML needs no such check, as XML 1.0 refuses these characters itself.
/// </summary>
internal static class ControlCharacterGuard
{
    /// <summary>The FHIRPath-like location of the first forbidden character in well-formed JSON, or null when there is none.</summary>
    public static string? Find(ReadOnlySpan<byte> utf8Json, string? rootType)
    {
        var offset = FirstOffendingToken(utf8Json);
        return offset < 0 ? null : PathOf(utf8Json, offset, rootType);
    }

    public static bool IsForbidden(char c) => c < ' ' && c is not ('\t' or '\r' or '\n');

    public static bool ContainsForbidden(string value) => value.Any(IsForbidden);

    private static long FirstOffendingToken(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 1024 });
        while (reader.Read())
        {
            // Raw control bytes are already invalid JSON; only escaped strings can carry one, so only they are decoded.
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && !Decodes(ref reader))
            {
                return reader.TokenStartIndex;
            }
        }

        return -1;
    }

    private static bool Decodes(ref Utf8JsonReader reader)
    {
        try
        {
            return !ContainsForbidden(reader.GetString() ?? "");
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate: not text at all.
            return false;
        }
    }

    // Only on the error path: walk again to name the element, e.g. Patient.name.family.
    private static string PathOf(ReadOnlySpan<byte> utf8Json, long offset, string? rootType)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 1024 });
        var containers = new Stack<string?>();
        string? property = null;
        while (reader.Read() && reader.TokenStartIndex < offset)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    containers.Push(property);
                    property = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    property = null;
                    break;
                default:
                    property = null;
                    break;
            }
        }

        var names = containers.Reverse().Append(property).Where(n => !string.IsNullOrEmpty(n));
        return string.Join('.', new[] { rootType ?? "$" }.Concat(names!));
    }
}
