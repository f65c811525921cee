using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>The URIs a uri search parameter matches in one FHIRPath result (uri, url, canonical, oid, uuid).</summary>
internal static class UriValues
{
    public static IEnumerable<string> From(Base value) =>
        value is PrimitiveType { JsonValue: string uri } && ColumnText.Clip(uri.Trim(), ColumnText.UrlLength) is { } clipped
            ? [clipped]
            : [];
}
