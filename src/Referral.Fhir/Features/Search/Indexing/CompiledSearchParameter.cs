using Hl7.FhirPath;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>A search parameter with its FHIRPath expression compiled once, so indexing never parses expressions.</summary>
/// <param name="Info">The parameter as registered.</param>
/// <param name="Select">Its expression: the values, or for a composite the base instances.</param>
/// <param name="Components">A composite's component expressions, evaluated on each instance <paramref name="Select"/> returns; empty otherwise.</param>
/// <param name="Path">The expression as plain element paths, walked instead of running <paramref name="Select"/>; null when it is more than that.</param>
internal sealed record CompiledSearchParameter(SearchParameterInfo Info, CompiledExpression Select, IReadOnlyList<CompiledExpression> Components, ElementPath? Path);
