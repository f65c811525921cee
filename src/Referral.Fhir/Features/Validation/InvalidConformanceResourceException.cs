namespace Referral.Fhir.Features.Validation;

/// <summary>A conformance file the node cannot use (bad JSON, a profile it cannot enforce); thrown at start so the node does not run half-configured.</summary>
public sealed class InvalidConformanceResourceException : Exception
{
    public InvalidConformanceResourceException(string file, string problem)
        : base($"Conformance resource '{file}': {problem}")
    {
        File = file;
    }

    public InvalidConformanceResourceException(string file, string problem, Exception innerException)
        : base($"Conformance resource '{file}': {problem}", innerException)
    {
        File = file;
    }

    public InvalidConformanceResourceException()
    {
    }

    public InvalidConformanceResourceException(string message)
        : base(message)
    {
    }

    public string? File { get; }
}
