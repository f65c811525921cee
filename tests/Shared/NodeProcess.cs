using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Referral.Tests;

/// <summary>Why a node process could not be started or did not become healthy (its exit code and last output included).</summary>
internal sealed class NodeProcessException(string message) : Exception(message);

/// <summary>
/// The built Referral.Web node running as a child OS process (<c>dotnet Referral.Web.dll</c>) on a fixed loopback
/// port, configured by environment variables. It can be killed with SIGKILL and started again on the same port and
/// settings (hence the same data directory), which is what the fault test does; its recent output is kept to explain
/// a failure. Linked as source into the test projects that need it, so none depends on another.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private const int OutputLines = 300;

    /// <summary>Every node not yet disposed, so the process-exit hook can kill them if the host dies without unwinding.</summary>
    private static readonly List<NodeProcess> Running = [];

    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Queue<string> _output = new();
    private readonly Lock _gate = new();
    private Process? _process;

    static NodeProcess()
    {
        // Last resort if the host dies without unwinding: never leave a node process behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public NodeProcess(string name, string dll, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _dll = dll;
        _environment = environment;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        lock (Running)
        {
            Running.Add(this);
        }
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseUrl { get; }

    /// <summary>The FHIR base, with a trailing slash so relative URIs such as <c>Patient/1</c> resolve under it.</summary>
    public Uri FhirBase => new(BaseUrl, "fhir/");

    /// <summary>How many times the process was started (the first start included).</summary>
    public int Starts { get; private set; }

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Kills every node still running; for the process-exit hook.</summary>
    private static void KillAll()
    {
        lock (Running)
        {
            Running.ForEach(n => n.Kill());
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

    /// <summary>Starts the process (again, after a kill) and waits until <c>GET /health</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (!File.Exists(_dll))
        {
            throw new NodeProcessException($"{_dll} not found: build src/Referral.Web first");
        }

        var start = new ProcessStartInfo(DotnetHost)
        {
            // The content root is the working directory: appsettings.json must be found next to the dll.
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(_dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl.GetLeftPart(UriPartial.Authority));
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                throw new InvalidOperationException($"{Name} is already running");
            }

            _process?.Dispose();
            Remember($"--- {Name}: start {Starts + 1} ---");
            if (!process.Start())
            {
                throw new NodeProcessException($"could not start {_dll}");
            }

            _process = process;
            Starts++;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitHealthyAsync(process, timeout, ct);
    }

    /// <summary>The CPU time (user and kernel) the running process has used so far; zero when it is not running.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            lock (_gate)
            {
                try
                {
                    return _process is { HasExited: false } p ? p.TotalProcessorTime : TimeSpan.Zero;
                }
                catch (InvalidOperationException)
                {
                    return TimeSpan.Zero;
                }
            }
        }
    }

    /// <summary>Kills the process with SIGKILL (no shutdown, no flushing: a crash) and waits until it is gone. Safe to call twice.</summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    Remember($"--- {Name}: process {process.Id} did not exit within 10 s of SIGKILL ---");
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone (or never started).
        }
    }

    /// <summary>Why the node is gone (exit code and its last output); null while it runs.</summary>
    public string? ExitReport()
    {
        lock (_gate)
        {
            return _process is { HasExited: true } p ? $"{Name} on {BaseUrl} exited with code {p.ExitCode}:\n{RecentOutput()}" : null;
        }
    }

    /// <summary>The last lines the node wrote (over all its starts), to explain a failure.</summary>
    public string RecentOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (Running)
        {
            Running.Remove(this);
        }

        Kill();
        lock (_gate)
        {
            _process?.Dispose();
            _process = null;
        }

        return ValueTask.CompletedTask;
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

    private async Task WaitHealthyAsync(Process process, TimeSpan timeout, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new NodeProcessException($"{Name} exited with code {process.ExitCode} before answering /health:\n{RecentOutput()}");
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

            await Task.Delay(100, ct);
        }

        throw new NodeProcessException($"{Name} did not answer GET /health with 200 within {timeout.TotalSeconds:0} s:\n{RecentOutput()}");
    }
}
