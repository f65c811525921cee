using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search;

/// <summary>One part of a composite search parameter: the value it reads from each instance of the composite's base expression.</summary>
/// <param name="Type">The search type of the component's own definition (token, quantity, date, …), which decides how its part of the value matches.</param>
/// <param name="Expression">FHIRPath relative to one base instance, e.g. <c>value.as(Quantity)</c> on an Observation.component.</param>
/// <param name="Definition">Canonical URL of the SearchParameter the component takes its type from.</param>
public sealed record CompositeComponent(SearchParamType Type, string Expression, string Definition)
{
    /// <summary>
    /// The Param of the index rows that hold component <paramref name="index"/> of <paramref name="code"/>, e.g.
    /// <c>code-value-quantity$1</c>; '$' never occurs in a parameter code, so these rows never answer a plain parameter.
    /// </summary>
    public static string RowParam(string code, int index) => $"{code}${index}";
}
