using System.Diagnostics;
using Referral.Tests;

namespace Referral.Benchmarks;

/// <summary>Builds the node in Release and starts it as child processes (<see cref="NodeProcess"/>, shared with the fault tests).</summary>
internal static class NodeLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string WebDll(string repoRoot) => Path.Combine(repoRoot, "src", "Referral.Web", "bin", "Release", "net10.0", "Referral.Web.dll");

    /// <summary>Builds the node in Release once, so the driver always measures the current sources.</summary>
    public static async Task BuildAsync(string repoRoot, CancellationToken ct)
    {
        Console.Error.WriteLine("building src/Referral.Web (Release)...");
        var start = new ProcessStartInfo(DotnetHost) { WorkingDirectory = repoRoot };
        foreach (var arg in new[] { "build", "-c", "Release", "--nologo", "-v", "quiet", Path.Combine("src", "Referral.Web") })
        {
            start.ArgumentList.Add(arg);
        }

        var (exitCode, stdout, stderr) = await ProcessRunner.RunAsync(start, ct);
        if (exitCode != 0)
        {
            throw new InfrastructureException($"dotnet build -c Release src/Referral.Web failed (exit {exitCode}):\n{stdout}{stderr}");
        }
    }

    /// <summary>
    /// Starts a node on an empty store in <paramref name="dataDirectory"/>; unless <paramref name="secured"/> it runs with
    /// <c>Authentication:Enabled=false</c> (no authentication, access control or audit), to measure what they cost.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(
        string repoRoot, string provider, string? connectionString, bool secured, string dataDirectory, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = provider == "postgres" ? "PostgreSql" : "Sqlite",
            ["Storage__DataDirectory"] = dataDirectory,
            ["DemoData__Seed"] = "false",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            // The load driver is one client at tens of thousands of requests per second: measure the node, not its per-client limit.
            ["RateLimiting__Enabled"] = "false",
        };
        if (connectionString is not null)
        {
            environment["ConnectionStrings__Fhir"] = connectionString;
        }

        if (!secured)
        {
            environment["Authentication__Enabled"] = "false";
        }

        var node = new NodeProcess("node", WebDll(repoRoot), NodeProcess.FreeTcpPort(), environment);
        await StartAsync(node, ct);
        return node;
    }

    /// <summary>Starts <paramref name="node"/>; a node that does not come up is an infrastructure failure of the run.</summary>
    public static async Task StartAsync(NodeProcess node, CancellationToken ct)
    {
        try
        {
            await node.StartAsync(StartTimeout, ct);
        }
        catch (NodeProcessException e)
        {
            await node.DisposeAsync();
            throw new InfrastructureException(e.Message);
        }
    }
}
