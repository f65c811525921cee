using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>One token index value: system and code as <c>system|code</c> search matches them, and text for <c>:text</c>.</summary>
internal readonly record struct TokenValue(string? System, string? Code, string? Text)
{
    public bool IsEmpty => System is null && Code is null && Text is null;

    public static IEnumerable<TokenValue> From(Base value)
    {
        IEnumerable<TokenValue> tokens = value switch
        {
            Coding coding => [FromCoding(coding)],
            CodeableConcept concept => [.. concept.Coding.Select(FromCoding), new TokenValue(null, null, concept.Text)],
            Identifier identifier => [new TokenValue(identifier.System, identifier.Value, identifier.Type?.Text)],
            ContactPoint contact => [new TokenValue(contact.System?.GetLiteral(), contact.Value, null)],
            PrimitiveType { JsonValue: bool flag } => [new TokenValue(null, flag ? "true" : "false", null)],

            // Code<T> knows the system of its value set, so gender=http://hl7.org/fhir/administrative-gender|male matches.
            PrimitiveType and ICoded coded => coded.ToCodings().Select(FromCoding),
            PrimitiveType { JsonValue: string text } => [new TokenValue(null, text, null)],
            _ => [],
        };

        return tokens
            .Select(t => new TokenValue(ColumnText.Clip(t.System), ColumnText.Clip(t.Code), ColumnText.Clip(t.Text)))
            .Where(t => !t.IsEmpty);
    }

    private static TokenValue FromCoding(Coding coding) => new(coding.System, coding.Code, coding.Display);
}
