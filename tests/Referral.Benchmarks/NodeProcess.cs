using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Referral.Benchmarks;

/// <summary>The Referral.Web node running as a child process on a free loopback port, killed on dispose.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private const int OutputLines = 200;

    /// <summary>Every node not yet disposed, so the process-exit hook can kill them if the driver dies without unwinding.</summary>
    private static readonly List<NodeProcess> Running = [];
    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly string _dataDirectory;

    private NodeProcess(Process process, Uri baseUrl, string dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
    }

    public Uri BaseUrl { get; }

    /// <summary>The FHIR base, with a trailing slash so relative URIs such as <c>Patient/1</c> resolve under it.</summary>
    public Uri FhirBase => new(BaseUrl, "fhir/");

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

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
    /// Starts a node on an empty store; unless <paramref name="secured"/> it runs with <c>Authentication:Enabled=false</c>
    /// (no authentication, access control or audit), to measure what they cost.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string repoRoot, string provider, string? connectionString, bool secured, CancellationToken ct)
    {
        var binDirectory = Path.Combine(repoRoot, "src", "Referral.Web", "bin", "Release", "net10.0");
        var dll = Path.Combine(binDirectory, "Referral.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InfrastructureException($"{dll} not found: run `dotnet build -c Release src/Referral.Web` (or drop --no-build)");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("referral-bench-").FullName;
        var port = FreeTcpPort();
        var start = new ProcessStartInfo(DotnetHost)
        {
            // The content root is the working directory: appsettings.json must be found next to the dll.
            WorkingDirectory = binDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Storage__Provider"] = provider == "postgres" ? "PostgreSql" : "Sqlite";
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["DemoData__Seed"] = "false";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The load driver is one client at tens of thousands of requests per second: measure the node, not its per-client limit.
        start.Environment["RateLimiting__Enabled"] = "false";
        if (connectionString is not null)
        {
            start.Environment["ConnectionStrings__Fhir"] = connectionString;
        }

        if (!secured)
        {
            start.Environment["Authentication__Enabled"] = "false";
        }

        var process = new Process { StartInfo = start };
        if (!process.Start())
        {
            throw new InfrastructureException("could not start " + dll);
        }

        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{port}/"), dataDirectory);
        lock (Running)
        {
            Running.Add(node);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills every node still running; for the process-exit hook.</summary>
    public static void KillAll()
    {
        lock (Running)
        {
            Running.ForEach(n => n.Kill());
        }
    }

    /// <summary>Why the node is gone (exit code and its last output); null while it runs.</summary>
    public string? ExitReport() =>
        _process.HasExited ? $"the node on {BaseUrl} exited with code {_process.ExitCode}:\n{RecentOutput()}" : null;

    /// <summary>The last lines the node wrote, to explain a failure.</summary>
    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    /// <summary>Kills the node; also called from the process-exit hook, so it must be safe to call twice.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (Running)
        {
            Running.Remove(this);
        }

        Kill();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"node process {_process.Id} did not exit within 10 s of being killed");
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>A loopback port nobody listens on right now (the OS picks it).</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > OutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InfrastructureException($"the node exited with code {_process.ExitCode} before answering /health:\n{RecentOutput()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseUrl, "health"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet (migrations still running).
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // A single probe timed out; try again.
            }

            await Task.Delay(200, ct);
        }

        throw new InfrastructureException($"the node did not answer GET /health with 200 within {timeout.TotalSeconds:0} s:\n{RecentOutput()}");
    }
}
