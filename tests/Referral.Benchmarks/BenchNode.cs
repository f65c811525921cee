using Referral.Tests;

namespace Referral.Benchmarks;

/// <summary>
/// One node of a run with the client that calls it: a secured node (authentication, access control and audit on,
/// every FHIR request carrying a token) or an open one (<c>Authentication:Enabled=false</c>, no token), and the
/// patients seeded into it.
/// </summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private BenchNode(NodeProcess process, HttpClient client, string dataDirectory, DatabaseBackendCpu? databaseCpu)
    {
        Process = process;
        Client = client;
        _dataDirectory = dataDirectory;
        DatabaseCpu = databaseCpu;
    }

    public NodeProcess Process { get; }

    /// <summary>The CPU of the PostgreSQL backends of this node's own database; null on SQLite.</summary>
    public DatabaseBackendCpu? DatabaseCpu { get; }

    public HttpClient Client { get; }

    public Uri FhirBase => Process.FhirBase;

    public IReadOnlyList<SeededPatient> Patients { get; private set; } = [];

    public static async Task<BenchNode> StartAsync(
        string repoRoot, string provider, string? connectionString, bool secured, int connections, CancellationToken ct)
    {
        Console.Error.WriteLine(secured
            ? "  starting the node (authentication, access control and audit on)"
            : "  starting a second node with Authentication:Enabled=false (no authentication, access control or audit)");
        var dataDirectory = Directory.CreateTempSubdirectory("referral-bench-").FullName;
        var process = await NodeLauncher.StartAsync(repoRoot, provider, connectionString, secured, dataDirectory, ct);
        HttpClient? client = null;
        try
        {
            if (secured)
            {
                var tokens = new BearerTokenHandler(process.BaseUrl, AllianceProcesses.ScriptsClientId, AllianceProcesses.ScriptsClientSecret, LoadRunner.CreateHandler(connections));
                client = LoadRunner.CreateClient(tokens);
                await tokens.AuthenticateAsync(ct);
            }
            else
            {
                client = LoadRunner.CreateClient(LoadRunner.CreateHandler(connections));
            }

            return new BenchNode(process, client, dataDirectory, DatabaseBackendCpu.For(connectionString));
        }
        catch
        {
            client?.Dispose();
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Seeds <paramref name="count"/> synthetic patients, then the Synthea sample bundles; returns both import figures
    /// (Synthea null when the sample folder is absent).
    /// </summary>
    public async Task<(ScenarioResult Import, ScenarioResult? Synthea)> SeedAsync(string repoRoot, int count, BenchOptions options, CancellationToken ct)
    {
        var seeder = new Seeder(Client, FhirBase);
        var (import, patients) = await seeder.SeedPatientsAsync(
            count, options.ImportConcurrency, TimeSpan.FromSeconds(options.SeedBudgetSeconds), Report.ReferenceImport, ct);
        if (patients.Count == 0)
        {
            throw new InfrastructureException($"no patient could be seeded ({import.SampleError}):\n{Process.RecentOutput()}");
        }

        Patients = patients;
        var synthea = await seeder.ImportSyntheaAsync(RepoPaths.FindSyntheaDirectory(repoRoot), Report.ReferenceImport, ct);
        return (import, synthea);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
