namespace Referral.Benchmarks;

/// <summary>The benchmark could not run (node or database did not start, build failed); the process exits non-zero.</summary>
internal sealed class InfrastructureException(string message) : Exception(message);
