using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search;

/// <summary>One search parameter as the node indexes and queries it (from the R4 definitions or from fhir-profiles/).</summary>
/// <param name="Code">The name used in URLs, e.g. <c>family</c>.</param>
/// <param name="ResourceType">The resource type it applies to (inherited <c>Resource</c> parameters are listed per type).</param>
/// <param name="Type">The FHIR search parameter type.</param>
/// <param name="Expression">The FHIRPath expression that extracts values; null for parameters served from resource columns (<c>_id</c>, <c>_lastUpdated</c>).</param>
/// <param name="Targets">Allowed reference target types (reference parameters only).</param>
/// <param name="Url">Canonical URL of the SearchParameter definition.</param>
/// <param name="Components">
/// For composite parameters, the parts in the order a value lists them (<c>code$value</c>); <paramref name="Expression"/>
/// then selects the element instances each value must be found in as a whole. Empty for every other type.
/// </param>
public sealed record SearchParameterInfo(
    string Code,
    string ResourceType,
    SearchParamType Type,
    string? Expression,
    IReadOnlyList<string> Targets,
    string Url,
    IReadOnlyList<CompositeComponent>? Components = null)
{
    public IReadOnlyList<CompositeComponent> Components { get; init; } = Components ?? [];
}
