using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>One reference index value: a local target, a URL, or a logical identifier (Reference.identifier).</summary>
internal readonly record struct ReferenceValue(string? TargetType, string? TargetId, string? Url, string? IdentifierSystem, string? IdentifierValue)
{
    public static IEnumerable<ReferenceValue> From(Base value)
    {
        switch (value)
        {
            case ResourceReference reference:
                if (ReferenceLiteral.TryParse(reference.Reference, out var literal))
                {
                    yield return FromLiteral(literal);
                }

                if (reference.Identifier is { } identifier && (ColumnText.Clip(identifier.System) is not null || ColumnText.Clip(identifier.Value) is not null))
                {
                    yield return new ReferenceValue(null, null, null, ColumnText.Clip(identifier.System), ColumnText.Clip(identifier.Value));
                }

                break;

            case PrimitiveType { JsonValue: string uri } when !string.IsNullOrWhiteSpace(uri):
                // A canonical may pin a version (url|1.0); reference search matches the canonical URL itself.
                var bar = uri.IndexOf('|', StringComparison.Ordinal);
                var canonical = (bar >= 0 ? uri[..bar] : uri).Trim();
                yield return ReferenceLiteral.TryParse(canonical, out var parsed)
                    ? FromLiteral(parsed with { Url = parsed.Url ?? canonical })
                    : new ReferenceValue(null, null, ColumnText.Clip(canonical, ColumnText.UrlLength), null, null);

                break;

            case Resource { Id: { Length: > 0 } id } resource:
                // Bundle.composition and Bundle.message select the entry's resource itself rather than a Reference.
                yield return new ReferenceValue(resource.TypeName, ColumnText.Clip(id, ColumnText.ShortLength), null, null, null);
                break;
        }
    }

    private static ReferenceValue FromLiteral(ReferenceLiteral literal) => new(
        literal.TargetType,
        ColumnText.Clip(literal.TargetId, ColumnText.ShortLength),
        ColumnText.Clip(literal.Url, ColumnText.UrlLength),
        null,
        null);
}
