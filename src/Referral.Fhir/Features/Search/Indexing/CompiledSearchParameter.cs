using Hl7.FhirPath;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>A search parameter with its FHIRPath expression compiled once, so indexing never parses expressions.</summary>
internal sealed record CompiledSearchParameter(SearchParameterInfo Info, CompiledExpression Select);
