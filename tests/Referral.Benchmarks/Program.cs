using System.Runtime.InteropServices;
using Referral.Benchmarks;
using Referral.Tests;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the run unwind so the node and the PostgreSQL cluster are stopped by their dispose.
    e.Cancel = true;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    cancel.Cancel();
});

var ct = cancel.Token;
var repoRoot = RepoPaths.FindRepoRoot();
var exitCode = 0;
try
{
    if (options.Build)
    {
        await NodeLauncher.BuildAsync(repoRoot, ct);
    }

    if (options.Scenario == "referral")
    {
        exitCode = await RunReferralAsync();
    }

    foreach (var provider in options.Scenario == "load" ? options.Providers : [])
    {
        var report = await RunProviderAsync(provider);
        Console.WriteLine(Report.Markdown(report));
        Console.Error.WriteLine("wrote " + Report.WriteJson(repoRoot, report));
        var failing = report.Scenarios.Concat(report.SecurityCosts.Select(c => c.Open))
            .Where(s => s.ErrorRate > 0.01).Select(s => s.Scenario).ToList();
        if (failing.Count > 0)
        {
            Console.Error.WriteLine($"{provider}: more than 1% of requests failed in: {string.Join(", ", failing)}");
            exitCode = 1;
        }

        // A secured figure measured without its audit trail would understate what security costs.
        var unaudited = report.AuditTallies.Where(t => !t.Complete).Select(t => t.Scenario).ToList();
        if (unaudited.Count > 0)
        {
            Console.Error.WriteLine($"{provider}: fewer AuditEvents than requests in: {string.Join(", ", unaudited)}");
            exitCode = 1;
        }
    }
}
catch (InfrastructureException e)
{
    Console.Error.WriteLine("benchmark could not run: " + e.Message);
    return 2;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted");
    return 130;
}

return exitCode;

async Task<int> RunReferralAsync()
{
    const int WarmupReferrals = 40;
    Console.Error.WriteLine("== referral (sqlite, two nodes)");
    var data = ReferralPackageData.Load(RepoPaths.FindSyntheaDirectory(repoRoot), options.PackageSize);
    var settings = new Dictionary<string, string>();
    if (options.DispatchIntervalMs is { } interval)
    {
        settings["Alliance:DispatchInterval"] = TimeSpan.FromMilliseconds(interval).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
    }

    await using var alliance = AllianceProcesses.Create(NodeLauncher.WebDll(repoRoot), settings);
    Console.Error.WriteLine("  starting the municipal and the cancer hospital nodes (authentication, access control and audit on)");
    await NodeLauncher.StartAsync(alliance.MunicipalNode, ct);
    await NodeLauncher.StartAsync(alliance.CancerNode, ct);
    var connections = options.Submitters.Max() + 2;
    using var municipal = await ScriptsClientAsync(alliance.MunicipalNode, connections);
    using var cancer = await ScriptsClientAsync(alliance.CancerNode, connections);
    var latency = new ReferralLatency(alliance, municipal, cancer, data, TimeSpan.FromMilliseconds(options.PollIntervalMs));
    try
    {
        // Warm-up: first token fetches, the first SQLite pages of both nodes, and enough referrals, as many at once as
        // the most submitters measured, for the JIT to have optimised the filing path as in a node that has run a while.
        await latency.MeasureAsync(await latency.PrepareAsync(WarmupReferrals, ct), options.Submitters.Max(), ct);
        var results = new List<ReferralResult>();
        foreach (var submitters in options.Submitters)
        {
            results.Add(await latency.MeasureAsync(await latency.PrepareAsync(options.Referrals, ct), submitters, ct));
        }

        var described = $"2 node processes on SQLite, authentication, access control and audit on, Alliance:DispatchInterval {(options.DispatchIntervalMs is { } ms ? ms + " ms" : "default")}, partner polled every {options.PollIntervalMs} ms";
        Console.WriteLine(ReferralResult.Markdown(results, data.Records, described));
        Console.Error.WriteLine("wrote " + ReferralResult.WriteJson(repoRoot, results, data.Records, described));
        return results.Any(r => r.Failures.Count > 0) ? 1 : 0;
    }
    catch (HttpRequestException e) when ((alliance.MunicipalNode.ExitReport() ?? alliance.CancerNode.ExitReport()) is { } exit)
    {
        throw new InfrastructureException($"{e.Message}; {exit}");
    }
}

async Task<HttpClient> ScriptsClientAsync(NodeProcess node, int connections)
{
    var tokens = new BearerTokenHandler(node.BaseUrl, AllianceProcesses.ScriptsClientId, AllianceProcesses.ScriptsClientSecret, LoadRunner.CreateHandler(connections));
    var client = LoadRunner.CreateClient(tokens);
    await tokens.AuthenticateAsync(ct);
    return client;
}

async Task<ProviderReport> RunProviderAsync(string provider)
{
    Console.Error.WriteLine($"== {provider}");
    await using var postgres = provider == "postgres" ? await PostgresServer.StartAsync(repoRoot, ct) : null;
    await using var node = await BenchNode.StartAsync(repoRoot, provider, postgres?.NewDatabase(), secured: true, options.Connections, ct);
    var (import, synthea) = await node.SeedAsync(repoRoot, options.Patients, options, ct);

    // Seeded the same way (as many patients as the secured node got, then Synthea), so both serve the same data shape.
    await using var open = options.SecurityComparison
        ? await BenchNode.StartAsync(repoRoot, provider, postgres?.NewDatabase(), secured: false, options.Connections, ct)
        : null;
    if (open is not null)
    {
        await open.SeedAsync(repoRoot, node.Patients.Count, options, ct);
    }

    try
    {
        return await MeasureAsync(provider, node, open, import, synthea);
    }
    catch (HttpRequestException e) when ((node.Process.ExitReport() ?? open?.Process.ExitReport()) is { } exit)
    {
        // A refused connection says little; a node that died says why in its own output.
        throw new InfrastructureException($"{e.Message}; {exit}");
    }
}

async Task<ProviderReport> MeasureAsync(string provider, BenchNode node, BenchNode? open, ScenarioResult import, ScenarioResult? synthea)
{
    // The baseline serves exactly the bytes the node answers for a read, so both move the same payload.
    var patientJson = await node.Client.GetByteArrayAsync(new Uri(node.FhirBase, "Patient/" + node.Patients[0].Id), ct);
    await using var baselineServer = await BaselineServer.StartAsync(patientJson, ct);

    var scenarios = new Scenarios(node.Client, node.FhirBase, node.Patients, firstCreated: options.Patients + 1_000_000);
    var openScenarios = open is null ? null : new Scenarios(open.Client, open.FhirBase, open.Patients, firstCreated: options.Patients + 1_000_000);
    var runner = new LoadRunner(
        options.Connections, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), options.MaxRequests);
    var audit = new AuditCounter(node.Client, node.FhirBase);
    var costs = new List<SecurityCost>();
    var tallies = new List<AuditTally>();
    var measured = new List<ScenarioResult>();

    // The baseline, the secured node and the open node are measured in interleaved slices, so every ratio compares
    // figures taken at the same moments of a machine whose speed drifts (the baseline moved by a third between runs).
    async Task MeasureIfAskedAsync(string scenario, Func<Scenarios, Func<CancellationToken, Task<Outcome>>> pick, double reference)
    {
        if (!options.Measured.Contains(scenario))
        {
            return;
        }

        IReadOnlyList<ScenarioResult> runs = [];
        var (secured, tally) = await audit.AroundAsync(
            scenario,
            pick(scenarios),
            async send =>
            {
                List<LoadTarget> targets =
                [
                    new($"baseline ({scenario})", c => scenarios.BaselineAsync(baselineServer.Url, c), null),
                    new(scenario, send, reference, () => node.Process.ProcessorTime, audit.CountAsync, node.DatabaseCpu is { } securedDb ? securedDb.Total : null),
                ];
                if (openScenarios is not null)
                {
                    targets.Add(new(
                        $"{scenario} (open)", pick(openScenarios), reference, () => open!.Process.ProcessorTime, DatabaseCpu: open!.DatabaseCpu is { } openDb ? openDb.Total : null));
                }

                runs = await runner.RunInterleavedAsync(targets, options.Slices, ct);
                return runs[1];
            },
            ct);
        tallies.Add(tally);
        var baseline = runs[0];
        var securedRun = secured with { BaselineRun = baseline };
        measured.Add(baseline with { BaselineRun = baseline });
        measured.Add(securedRun);
        if (openScenarios is not null)
        {
            costs.Add(new SecurityCost(scenario, securedRun, runs[2] with { BaselineRun = baseline }));
        }
    }

    // Seeding leaves hundreds of megabytes for the kernel to write back; the audit trail's fsyncs would queue behind them.
    await FlushDiskWritesAsync();
    await MeasureIfAskedAsync("read", s => s.ReadAsync, Report.ReferenceReads);
    await MeasureIfAskedAsync("search", s => s.SearchAsync, Report.ReferenceSearches);
    // Last: creates grow the table the read and search scenarios measure.
    await MeasureIfAskedAsync("create", s => s.CreateAsync, Report.ReferenceCreates);

    return new ProviderReport(
        provider,
        options.Patients,
        node.Patients.Count,
        open?.Patients.Count,
        options.Connections,
        options.DurationSeconds,
        options.WarmupSeconds,
        Report.Machine(),
        DateTimeOffset.UtcNow,
        [.. measured, import, .. synthea is null ? Array.Empty<ScenarioResult>() : [synthea]],
        costs,
        tallies);
}

async Task FlushDiskWritesAsync()
{
    Console.Error.WriteLine("  flushing the seeded data to disk (sync)");
    var (exitCode, _, stderr) = await ProcessRunner.RunAsync(new System.Diagnostics.ProcessStartInfo("sync"), ct);
    if (exitCode != 0)
    {
        throw new InfrastructureException($"sync failed (exit {exitCode}): {stderr}");
    }
}
