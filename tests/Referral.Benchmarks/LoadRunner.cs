using System.Diagnostics;
using System.Net;

namespace Referral.Benchmarks;

/// <summary>
/// Closed-loop load: C workers each send one request, wait for the answer, and send the next, for a warm-up
/// then a measured window (and never more than a maximum number of measured requests).
/// </summary>
internal sealed class LoadRunner(int connections, TimeSpan warmup, TimeSpan duration, int maxRequests)
{
    /// <summary>The connection pool of one node's client: exactly C connections per server.</summary>
    public static SocketsHttpHandler CreateHandler(int connections) => new()
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>One client per node for the whole run, over <see cref="CreateHandler"/> (possibly wrapped).</summary>
    public static HttpClient CreateClient(HttpMessageHandler handler) => new(handler)
    {
        // Synthea transaction bundles hold hundreds of resources; give them time rather than count a slow one as a failure.
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>
    /// Runs <paramref name="send"/> in closed loop. Given <paramref name="nodeCpu"/> (the node process's CPU time so far),
    /// the result also carries the node's CPU per measured request, which moves far less than throughput on a machine
    /// shared with other work.
    /// </summary>
    public async Task<ScenarioResult> RunAsync(
        string scenario, Func<CancellationToken, Task<Outcome>> send, double? reference, CancellationToken ct, Func<TimeSpan>? nodeCpu = null)
    {
        Console.Error.WriteLine($"  {scenario}: {warmup.TotalSeconds:0} s warm-up + {duration.TotalSeconds:0} s, {connections} connections");
        var counter = new long[1];
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var measureUntil = measureFrom + Ticks(duration);

        async Task LoopAsync(WorkerStats stats)
        {
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureUntil)
                {
                    return;
                }

                var measured = t0 >= measureFrom;
                if (measured && Interlocked.Increment(ref counter[0]) > maxRequests)
                {
                    return;
                }

                var outcome = await send(ct);
                var t1 = Stopwatch.GetTimestamp();
                if (measured)
                {
                    stats.Record(t1 - t0, outcome);
                    stats.LastCompletion = t1;
                }
            }
        }

        var workers = new WorkerStats[connections];
        var loops = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            var stats = workers[i] = new WorkerStats();
            loops[i] = Task.Run(() => LoopAsync(stats), ct);
        }

        // The node's CPU clock is read as the measured window opens and once the last measured request is answered.
        var cpuAtStart = nodeCpu is null ? Task.FromResult(TimeSpan.Zero) : CpuAtAsync(measureFrom, nodeCpu, ct);
        await Task.WhenAll(loops);
        ct.ThrowIfCancellationRequested();
        var cpuAtEnd = nodeCpu?.Invoke() ?? TimeSpan.Zero;
        var end = workers.Max(w => w.LastCompletion);
        var seconds = end > measureFrom ? (double)(end - measureFrom) / Stopwatch.Frequency : 0;
        var result = WorkerStats.Merge(workers, scenario, "req/s", items: null, seconds, reference);
        return nodeCpu is null || result.Requests == 0
            ? result
            : result with { NodeCpuMicrosecondsPerRequest = (cpuAtEnd - await cpuAtStart).TotalMicroseconds / result.Requests };
    }

    private static async Task<TimeSpan> CpuAtAsync(long timestamp, Func<TimeSpan> nodeCpu, CancellationToken ct)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct);
        }

        return nodeCpu();
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
