using System.Diagnostics;
using System.Net;

namespace Referral.Benchmarks;

/// <summary>One server an interleaved run measures.</summary>
/// <param name="Scenario">The name of its result.</param>
/// <param name="Send">One request.</param>
/// <param name="Reference">The published figure of the reference server for this scenario, if any.</param>
/// <param name="NodeCpu">The node process's CPU time so far, when it is a node.</param>
/// <param name="Settle">
/// Finishes what the node defers after a slice (the secured node moves its journaled audit records into the trail a
/// second later), counted in the slice, so that it neither runs in another server's slice nor goes unmeasured.
/// </param>
/// <param name="DatabaseCpu">The CPU time so far of the database server's work for the node, when it is measured.</param>
internal sealed record LoadTarget(
    string Scenario,
    Func<CancellationToken, Task<Outcome>> Send,
    double? Reference,
    Func<TimeSpan>? NodeCpu = null,
    Func<CancellationToken, Task>? Settle = null,
    Func<TimeSpan>? DatabaseCpu = null);

/// <summary>
/// Closed-loop load: C workers each send one request, wait for the answer, and send the next, for a warm-up
/// then a measured window (and never more than a maximum number of measured requests). Each node's CPU time is read
/// around every measured slice, which gives its CPU per request: that moves far less than throughput on a machine
/// shared with other work.
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
    /// Measures several servers at the same moments: each is warmed up in turn, then their measured windows are cut into
    /// <paramref name="slices"/> slices taken in turn (A B C A B C …), so a machine that speeds up or slows down during
    /// the run (other tenants of the host) moves every server's figure alike, and their ratios stay true. Each result sums
    /// its server's slices: requests, seconds, latencies and node CPU; each slice's throughput is kept too.
    /// </summary>
    public async Task<IReadOnlyList<ScenarioResult>> RunInterleavedAsync(IReadOnlyList<LoadTarget> targets, int slices, CancellationToken ct)
    {
        var slice = duration / slices;
        Console.Error.WriteLine(
            $"  {string.Join(", ", targets.Select(t => t.Scenario))}: {warmup.TotalSeconds:0} s warm-up each, then {slices} slices of "
            + $"{slice.TotalSeconds:0.#} s each in turn, {connections} connections");
        foreach (var target in targets)
        {
            var warmupFrom = Stopwatch.GetTimestamp();
            await RunLoopsAsync(target.Send, NewWorkers(), long.MaxValue, warmupFrom + Ticks(warmup), int.MaxValue, ct);
        }

        var workers = targets.Select(_ => NewWorkers()).ToArray();
        var seconds = new double[targets.Count];
        var cpu = new TimeSpan[targets.Count];
        var databaseCpu = new TimeSpan[targets.Count];
        var sliceThroughputs = targets.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < slices; round++)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var cpuBefore = targets[i].NodeCpu?.Invoke() ?? TimeSpan.Zero;
                var databaseCpuBefore = targets[i].DatabaseCpu?.Invoke() ?? TimeSpan.Zero;
                var requestsBefore = workers[i].Sum(w => w.Count);
                var from = Stopwatch.GetTimestamp();
                var end = await RunLoopsAsync(targets[i].Send, workers[i], from, from + Ticks(slice), maxRequests / slices, ct);
                if (targets[i].Settle is { } settle)
                {
                    await settle(ct);
                    end = Stopwatch.GetTimestamp();
                }

                cpu[i] += (targets[i].NodeCpu?.Invoke() ?? TimeSpan.Zero) - cpuBefore;
                databaseCpu[i] += (targets[i].DatabaseCpu?.Invoke() ?? TimeSpan.Zero) - databaseCpuBefore;
                var sliceSeconds = end > from ? (double)(end - from) / Stopwatch.Frequency : 0;
                seconds[i] += sliceSeconds;
                sliceThroughputs[i].Add(sliceSeconds > 0 ? (workers[i].Sum(w => w.Count) - requestsBefore) / sliceSeconds : 0);
            }
        }

        return [.. targets.Select((t, i) =>
            WithCpu(WorkerStats.Merge(workers[i], t.Scenario, "req/s", items: null, seconds[i], t.Reference), t.NodeCpu is null ? null : cpu[i], t.DatabaseCpu is null ? null : databaseCpu[i])
                with { Slices = sliceThroughputs[i] })];
    }

    private WorkerStats[] NewWorkers() => [.. Enumerable.Range(0, connections).Select(_ => new WorkerStats())];

    private static ScenarioResult WithCpu(ScenarioResult result, TimeSpan? nodeCpu, TimeSpan? databaseCpu) =>
        result.Requests == 0
            ? result
            : result with
            {
                NodeCpuMicrosecondsPerRequest = nodeCpu?.TotalMicroseconds / result.Requests,
                DatabaseCpuMicrosecondsPerRequest = databaseCpu?.TotalMicroseconds / result.Requests,
            };

    /// <summary>
    /// The closed loops, one per connection, until <paramref name="measureUntil"/>; requests sent from
    /// <paramref name="measureFrom"/> on are recorded in <paramref name="workers"/> (at most <paramref name="limit"/>).
    /// Returns when the last measured request was answered.
    /// </summary>
    private static async Task<long> RunLoopsAsync(
        Func<CancellationToken, Task<Outcome>> send, WorkerStats[] workers, long measureFrom, long measureUntil, int limit, CancellationToken ct)
    {
        var counter = new long[1];
        var last = new long[workers.Length];

        async Task LoopAsync(int worker)
        {
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureUntil)
                {
                    return;
                }

                var measured = t0 >= measureFrom;
                if (measured && Interlocked.Increment(ref counter[0]) > limit)
                {
                    return;
                }

                var outcome = await send(ct);
                var t1 = Stopwatch.GetTimestamp();
                if (measured)
                {
                    workers[worker].Record(t1 - t0, outcome);
                    last[worker] = t1;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers.Length).Select(i => Task.Run(() => LoopAsync(i), ct)));
        ct.ThrowIfCancellationRequested();
        return last.Max();
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
