using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>The texts a string search parameter matches in one FHIRPath result: every name and address part is its own value.</summary>
internal static class StringValues
{
    public static IEnumerable<string> From(Base value)
    {
        IEnumerable<string?> parts = value switch
        {
            HumanName name => [name.Family, .. name.Given, .. name.Prefix, .. name.Suffix, name.Text],
            Address address => [.. address.Line, address.City, address.District, address.State, address.PostalCode, address.Country, address.Text],
            PrimitiveType { JsonValue: string text } => [text],
            _ => [],
        };

        return parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim());
    }
}
