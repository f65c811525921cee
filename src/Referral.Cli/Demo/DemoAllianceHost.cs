using Microsoft.AspNetCore.Builder;
using Referral.Web;

namespace Referral.Cli.Demo;

/// <summary>Both nodes of a <see cref="DemoAlliance"/> running in this process; disposing stops them.</summary>
public sealed class DemoAllianceHost : IAsyncDisposable
{
    private readonly IReadOnlyList<WebApplication> _apps;

    private DemoAllianceHost(DemoAlliance alliance, IReadOnlyList<WebApplication> apps)
    {
        Alliance = alliance;
        _apps = apps;
    }

    public DemoAlliance Alliance { get; }

    /// <summary>The running node's services (its bound options, for instance).</summary>
    public IServiceProvider Services(DemoNode node) => _apps[Alliance.Nodes.ToList().IndexOf(node)].Services;

    /// <summary>Builds (migrating and seeding) and starts both nodes side by side; if one fails, the other is stopped too.</summary>
    public static async Task<DemoAllianceHost> StartAsync(DemoAlliance alliance, CancellationToken ct = default)
    {
        var starting = alliance.Nodes.Select(node => StartNodeAsync(alliance, node, ct)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var task in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await StopAsync(task.Result);
            }

            throw;
        }

        return new DemoAllianceHost(alliance, [.. starting.Select(t => t.Result)]);
    }

    /// <summary>Completes when either node begins to stop (Ctrl+C stops both).</summary>
    public Task WaitForShutdownAsync()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var app in _apps)
        {
            app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        }

        return stopping.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await StopAsync(app);
        }
    }

    private static async Task<WebApplication> StartNodeAsync(DemoAlliance alliance, DemoNode node, CancellationToken ct)
    {
        // The node's own folder is its content root: it holds no appsettings.json, so the demo settings are all there is.
        Directory.CreateDirectory(node.DataDirectory);
        var app = await NodeApplication.CreateAsync([], alliance.Settings(node), node.DataDirectory, ct);
        try
        {
            await app.StartAsync(ct);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static async Task StopAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
