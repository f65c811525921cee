using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Referral.Tests;

namespace Referral.Benchmarks;

/// <summary>
/// The PostgreSQL server of a run: the one named by <c>REFERRAL_BENCH_POSTGRES</c>, or a throw-away cluster from
/// <c>deploy/postgres/start-local.sh</c> that is stopped (and deleted) on dispose.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "REFERRAL_BENCH_POSTGRES";
    private readonly string _repoRoot;
    private readonly string _serverConnectionString;
    private readonly int? _startedPort;

    private PostgresServer(string repoRoot, string connectionString, int? startedPort)
    {
        _repoRoot = repoRoot;
        _serverConnectionString = connectionString.TrimEnd(';');
        _startedPort = startedPort;
    }

    /// <summary>
    /// A connection string to a database nobody has used: the node's migrations create it, so earlier runs (and the
    /// other node of this run) cannot skew the numbers.
    /// </summary>
    public string NewDatabase()
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return $"{_serverConnectionString};Database=referral_bench_{suffix}";
    }

    public static async Task<PostgresServer> StartAsync(string repoRoot, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new PostgresServer(repoRoot, given, null);
        }

        var port = NodeProcess.FreeTcpPort();
        Console.Error.WriteLine($"starting a throw-away PostgreSQL cluster on port {port}...");
        var (exitCode, stdout, stderr) = await RunScriptAsync(repoRoot, "start-local.sh", port, ct);
        var connectionString = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (exitCode != 0 || connectionString is null)
        {
            throw new InfrastructureException($"deploy/postgres/start-local.sh failed (exit {exitCode}): {stderr}");
        }

        return new PostgresServer(repoRoot, connectionString, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_startedPort is { } port)
        {
            // Not cancellable: the cluster must go away even when the run was interrupted.
            var (exitCode, _, stderr) = await RunScriptAsync(_repoRoot, "stop-local.sh", port, CancellationToken.None);
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"warning: deploy/postgres/stop-local.sh exited {exitCode}: {stderr}");
            }
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(string repoRoot, string script, int port, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = repoRoot };
        start.ArgumentList.Add(Path.Combine(repoRoot, "deploy", "postgres", script));
        start.Environment["PGPORT_LOCAL"] = port.ToString(CultureInfo.InvariantCulture);
        return ProcessRunner.RunAsync(start, ct);
    }
}
