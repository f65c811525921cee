namespace Referral.Benchmarks;

/// <summary>
/// One scenario measured on the secured node and on a second node of the same provider and data with
/// <c>Authentication:Enabled=false</c>: what authentication, access control and audit cost, as a ratio.
/// </summary>
/// <param name="Scenario">read, search or create.</param>
/// <param name="Secured">The figure from the main table (authentication, organisation filtering and audit on).</param>
/// <param name="Open">The same scenario against the open node, measured in slices interleaved with the secured one's.</param>
internal sealed record SecurityCost(string Scenario, ScenarioResult Secured, ScenarioResult Open)
{
    /// <summary>The target: authorization and audit make reads and searches at most this much slower.</summary>
    public const double TargetPercentSlower = 25;

    /// <summary>Secured throughput as a fraction of open throughput (1 = free).</summary>
    public double Ratio => Open.Throughput > 0 ? Secured.Throughput / Open.Throughput : 0;

    public double PercentSlower => (1 - Ratio) * 100;

    /// <summary>The least and most "% slower" over the rounds of slices (secured and open measured one right after the other).</summary>
    public (double Low, double High)? PercentSlowerRange =>
        SliceRatios.Range(Secured.Slices, Open.Slices) is var (low, high) ? ((1 - high) * 100, (1 - low) * 100) : null;

    /// <summary>The target is set for reads and searches; creates are shown for what they cost.</summary>
    public bool HasTarget => Scenario is "read" or "search";

    public bool MeetsTarget => PercentSlower <= TargetPercentSlower;
}
