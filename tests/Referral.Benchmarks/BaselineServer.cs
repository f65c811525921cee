using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Referral.Tests;

namespace Referral.Benchmarks;

/// <summary>
/// A bare Kestrel minimal API in this process answering one Patient's JSON bytes from memory: the most any
/// HTTP endpoint can do on this machine with this client, so node figures can be read as a fraction of it.
/// </summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BaselineServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The endpoint to GET (shaped like a FHIR read).</summary>
    public Uri Url { get; }

    public static async Task<BaselineServer> StartAsync(byte[] patientJson, CancellationToken ct)
    {
        var port = NodeProcess.FreeTcpPort();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/fhir/Patient/{id}", (string id) => Results.Bytes(patientJson, "application/fhir+json"));
        await app.StartAsync(ct);
        return new BaselineServer(app, new Uri($"http://127.0.0.1:{port}/fhir/Patient/baseline"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
