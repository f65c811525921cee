namespace Referral.Persistence;

/// <summary>Counts resource versions committed since the planner statistics were last refreshed.</summary>
public sealed class WriteVolume
{
    private long _sinceAnalyze;

    public long SinceAnalyze => Interlocked.Read(ref _sinceAnalyze);

    public void Add(int versions) => Interlocked.Add(ref _sinceAnalyze, versions);

    public void Reset(long counted) => Interlocked.Add(ref _sinceAnalyze, -counted);
}
