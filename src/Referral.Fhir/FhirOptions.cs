using System.ComponentModel.DataAnnotations;

namespace Referral.Fhir;

/// <summary>Limits and defaults of the FHIR API (configuration section <c>Fhir</c>).</summary>
public sealed class FhirOptions
{
    public const string Section = "Fhir";

    /// <summary>Largest request body accepted, in bytes; larger ones get 413.</summary>
    [Range(1024, 1L << 31)]
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted; deeper bodies are refused with 400.</summary>
    [Range(8, 256)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Most entries a batch or transaction Bundle may hold.</summary>
    [Range(1, 100_000)]
    public int MaxBundleEntries { get; set; } = 10_000;

    /// <summary>Page size when a search does not give <c>_count</c>.</summary>
    [Range(1, 1000)]
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>Largest <c>_count</c> honoured; larger values are capped.</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>
    /// Folder with the alliance's conformance resources: StructureDefinitions, ValueSets and CodeSystems enforced on write
    /// and by <c>$validate</c>, custom SearchParameters indexed. Unset: <c>fhir-profiles</c> next to the node's binaries.
    /// </summary>
    public string? ProfilesDirectory { get; set; }
}
