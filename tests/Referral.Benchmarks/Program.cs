using System.Runtime.InteropServices;
using Referral.Benchmarks;

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

var nodes = new List<NodeProcess>();
// Last resort if the driver dies without unwinding: never leave a node process behind.
AppDomain.CurrentDomain.ProcessExit += (_, _) =>
{
    lock (nodes)
    {
        nodes.ForEach(n => n.Kill());
    }
};

var ct = cancel.Token;
var repoRoot = RepoPaths.FindRepoRoot();
var exitCode = 0;
try
{
    if (options.Build)
    {
        await NodeProcess.BuildAsync(repoRoot, ct);
    }

    foreach (var provider in options.Providers)
    {
        var report = await RunProviderAsync(provider);
        Console.WriteLine(Report.Markdown(report));
        Console.Error.WriteLine("wrote " + Report.WriteJson(repoRoot, report));
        var failing = report.Scenarios.Where(s => s.ErrorRate > 0.01).Select(s => s.Scenario).ToList();
        if (failing.Count > 0)
        {
            Console.Error.WriteLine($"{provider}: more than 1% of requests failed in: {string.Join(", ", failing)}");
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

async Task<ProviderReport> RunProviderAsync(string provider)
{
    Console.Error.WriteLine($"== {provider}");
    await using var postgres = provider == "postgres" ? await PostgresServer.StartAsync(repoRoot, ct) : null;
    await using var node = await NodeProcess.StartAsync(repoRoot, provider, postgres?.ConnectionString, ct);
    lock (nodes)
    {
        nodes.Add(node);
    }

    try
    {
        using var client = LoadRunner.CreateClient(options.Connections);
        var seeder = new Seeder(client, node.FhirBase);
        var (import, patients) = await seeder.SeedPatientsAsync(
            options.Patients, options.ImportConcurrency, TimeSpan.FromSeconds(options.SeedBudgetSeconds), Report.ReferenceImport, ct);
        if (patients.Count == 0)
        {
            throw new InfrastructureException($"no patient could be seeded ({import.SampleError}):\n{node.RecentOutput()}");
        }

        var synthea = await seeder.ImportSyntheaAsync(RepoPaths.FindSyntheaDirectory(repoRoot), Report.ReferenceImport, ct);

        // The baseline serves exactly the bytes the node answers for a read, so both move the same payload.
        var patientJson = await client.GetByteArrayAsync(new Uri(node.FhirBase, "Patient/" + patients[0].Id), ct);
        await using var baselineServer = await BaselineServer.StartAsync(patientJson, ct);

        var scenarios = new Scenarios(client, node.FhirBase, patients, firstCreated: options.Patients + 1_000_000);
        var runner = new LoadRunner(
            options.Connections, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), options.MaxRequests);
        var baseline = await runner.RunAsync("baseline", c => scenarios.BaselineAsync(baselineServer.Url, c), null, ct);
        var read = await runner.RunAsync("read", scenarios.ReadAsync, Report.ReferenceReads, ct);
        var search = await runner.RunAsync("search", scenarios.SearchAsync, Report.ReferenceSearches, ct);
        // Last: creates grow the table the read and search scenarios measure.
        var create = await runner.RunAsync("create", scenarios.CreateAsync, Report.ReferenceCreates, ct);

        return new ProviderReport(
            provider,
            options.Patients,
            patients.Count,
            options.Connections,
            options.DurationSeconds,
            options.WarmupSeconds,
            Report.Machine(),
            DateTimeOffset.UtcNow,
            [baseline, read, search, create, import, .. synthea is null ? Array.Empty<ScenarioResult>() : [synthea]]);
    }
    finally
    {
        lock (nodes)
        {
            nodes.Remove(node);
        }
    }
}
