using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>A reference string split into what search matches on: a local target (type and id), a URL, or both.</summary>
/// <param name="TargetType">The resource type when the reference names one, e.g. <c>Patient</c>.</param>
/// <param name="TargetId">The logical id that goes with <paramref name="TargetType"/>.</param>
/// <param name="Url">The absolute URL or URN as written (version suffix removed); null for relative references.</param>
public readonly record struct ReferenceLiteral(string? TargetType, string? TargetId, string? Url)
{
    private const string HistorySegment = "/_history/";

    /// <summary>
    /// Reads <c>Type/id</c>, <c>Type/id/_history/n</c>, absolute URLs ending in either, and URNs or other URLs (URL only).
    /// Local references to contained resources (<c>#id</c>) and empty strings are not references search can match.
    /// </summary>
    public static bool TryParse(string? reference, out ReferenceLiteral literal)
    {
        literal = default;
        if (string.IsNullOrWhiteSpace(reference))
        {
            return false;
        }

        var value = reference.Trim();
        if (value.StartsWith('#'))
        {
            return false;
        }

        var isAbsolute = value.Contains(':', StringComparison.Ordinal);
        var history = value.LastIndexOf(HistorySegment, StringComparison.Ordinal);
        var withoutVersion = history > 0 ? value[..history] : value;

        if (TrySplitTypeAndId(withoutVersion, out var type, out var id))
        {
            literal = new ReferenceLiteral(type, id, isAbsolute ? withoutVersion : null);
            return true;
        }

        if (!isAbsolute)
        {
            return false;
        }

        literal = new ReferenceLiteral(null, null, value);
        return true;
    }

    private static bool TrySplitTypeAndId(string value, out string? type, out string? id)
    {
        type = id = null;
        var lastSlash = value.LastIndexOf('/');
        if (lastSlash <= 0 || lastSlash == value.Length - 1)
        {
            return false;
        }

        var typeStart = value.LastIndexOf('/', lastSlash - 1) + 1;
        var candidate = value[typeStart..lastSlash];
        if (candidate is "Resource" or "DomainResource" || !ModelInfo.IsKnownResource(candidate))
        {
            return false;
        }

        type = candidate;
        id = value[(lastSlash + 1)..];
        return true;
    }
}
