using System.Diagnostics;
using System.Net;

namespace Referral.Benchmarks;

/// <summary>The measured figures of one scenario against one server.</summary>
/// <param name="Scenario">Short name: baseline, read, search, create, transaction import, synthea import.</param>
/// <param name="Unit"><c>req/s</c>, or <c>resources/s</c> for the imports.</param>
/// <param name="Requests">Measured HTTP requests (after warm-up).</param>
/// <param name="Items">Requests, or resources stored for the imports.</param>
/// <param name="Seconds">Length of the measured window (imports: summed bundle times).</param>
/// <param name="Throughput">Items per second.</param>
/// <param name="P50Ms">Median request latency.</param>
/// <param name="P99Ms">99th percentile request latency.</param>
/// <param name="Errors">Requests with an unexpected status, body or exception.</param>
/// <param name="ErrorKinds">Errors counted by kind (status code, exception type).</param>
/// <param name="SampleError">The first error seen, with a piece of the response body.</param>
/// <param name="Reference">The published figure of the reference server for this scenario, if any.</param>
internal sealed record ScenarioResult(
    string Scenario,
    string Unit,
    long Requests,
    long Items,
    double Seconds,
    double Throughput,
    double P50Ms,
    double P99Ms,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorKinds,
    string? SampleError,
    double? Reference)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>
    /// The baseline measured in slices interleaved with this scenario's (<see cref="LoadRunner.RunInterleavedAsync"/>):
    /// what "× baseline" divides by. Null for the imports, which have no baseline.
    /// </summary>
    public ScenarioResult? BaselineRun { get; init; }

    /// <summary>Throughput as a multiple of <see cref="BaselineRun"/>'s, for request scenarios measured with one.</summary>
    public double? BaselineRatio => Unit == "req/s" && BaselineRun?.Throughput is > 0 and var b ? Throughput / b : null;

    /// <summary>The node process's CPU time (user and kernel, all its threads) per measured request, when measured.</summary>
    public double? NodeCpuMicrosecondsPerRequest { get; init; }

    /// <summary>The PostgreSQL backends' CPU time for the node's database per measured request, when measured (<see cref="DatabaseBackendCpu"/>).</summary>
    public double? DatabaseCpuMicrosecondsPerRequest { get; init; }

    /// <summary>The throughput of each measured slice, in the order taken (<see cref="LoadRunner.RunInterleavedAsync"/>).</summary>
    public IReadOnlyList<double> Slices { get; init; } = [];

    /// <summary>
    /// The lowest and highest multiple of the baseline over the rounds of slices: how far the ratio moved while it was
    /// measured, which says whether two figures differ by more than this machine's noise.
    /// </summary>
    public (double Low, double High)? BaselineRatioRange => BaselineRun is { } baseline ? SliceRatios.Range(Slices, baseline.Slices) : null;
}

/// <summary>Ratios of two servers' throughputs slice by slice, each round's slices taken one right after the other.</summary>
internal static class SliceRatios
{
    /// <summary>The lowest and highest <c>a[k] / b[k]</c>; null unless both have the same, non-zero number of slices.</summary>
    public static (double Low, double High)? Range(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || a.Count != b.Count || b.Any(x => x <= 0))
        {
            return null;
        }

        var ratios = a.Select((x, k) => x / b[k]).ToList();
        return (ratios.Min(), ratios.Max());
    }
}

/// <summary>The result of one request: success, or what went wrong (status and a piece of the body).</summary>
internal readonly record struct Outcome(bool Ok, string? Kind, string? Detail)
{
    public static readonly Outcome Success = new(true, null, null);

    public static Outcome Failure(string kind, string detail) => new(false, kind, detail);

    public static Outcome Failure(HttpStatusCode status, byte[] body) =>
        new(false, $"HTTP {(int)status}", $"HTTP {(int)status}: {System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 2000))}");
}

/// <summary>Latencies and errors one worker loop saw; workers never share one, so recording needs no lock.</summary>
internal sealed class WorkerStats
{
    private readonly List<long> _latencyTicks = new(4096);
    private readonly Dictionary<string, long> _errorKinds = [];
    private string? _sampleError;
    private long _errors;

    public long LastCompletion { get; set; }

    /// <summary>Requests recorded so far.</summary>
    public int Count => _latencyTicks.Count;

    public void Record(long elapsedTicks, Outcome outcome)
    {
        _latencyTicks.Add(elapsedTicks);
        if (!outcome.Ok)
        {
            _errors++;
            var kind = outcome.Kind ?? "error";
            _errorKinds[kind] = _errorKinds.GetValueOrDefault(kind) + 1;
            _sampleError ??= outcome.Detail;
        }
    }

    public static ScenarioResult Merge(
        IReadOnlyCollection<WorkerStats> workers, string scenario, string unit, long? items, double seconds, double? reference)
    {
        var latencies = workers.SelectMany(w => w._latencyTicks).ToArray();
        Array.Sort(latencies);
        var kinds = new Dictionary<string, long>();
        foreach (var (kind, count) in workers.SelectMany(w => w._errorKinds))
        {
            kinds[kind] = kinds.GetValueOrDefault(kind) + count;
        }

        // Load scenarios count requests; imports count the resources their bundles stored.
        var counted = items ?? latencies.Length;
        return new ScenarioResult(
            scenario,
            unit,
            latencies.Length,
            counted,
            seconds,
            seconds > 0 ? counted / seconds : 0,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            workers.Sum(w => w._errors),
            kinds,
            workers.Select(w => w._sampleError).FirstOrDefault(e => e is not null),
            reference);
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch ticks, in milliseconds.</summary>
    private static double Percentile(long[] sortedTicks, double p)
    {
        if (sortedTicks.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * sortedTicks.Length) - 1;
        return sortedTicks[Math.Clamp(rank, 0, sortedTicks.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }
}
