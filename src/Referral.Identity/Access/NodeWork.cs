namespace Referral.Identity.Access;

/// <summary>
/// Marks work the node does itself inside a request, e.g. filing a partner's referral package after checking it is
/// addressed here: reads and writes are not limited by the caller's scope (patient matching must see every local
/// patient), while what is written is still attributed to the caller (Provenance) and the request stays audited.
/// </summary>
public static class NodeWork
{
    private static readonly AsyncLocal<FhirCaller?> OnBehalfOf = new();

    /// <summary>The partner the node is working for in this flow, or null outside node work.</summary>
    public static FhirCaller? Current => OnBehalfOf.Value;

    public static IDisposable Begin(FhirCaller onBehalfOf)
    {
        var previous = OnBehalfOf.Value;
        OnBehalfOf.Value = onBehalfOf;
        return new Scope(previous);
    }

    private sealed class Scope(FhirCaller? previous) : IDisposable
    {
        public void Dispose() => OnBehalfOf.Value = previous;
    }
}
