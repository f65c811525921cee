using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Referral.FunctionalTests;

/// <summary>A node of its own with extra settings (a tiny rate limit, CORS origins, another environment), for tests that must not share one.</summary>
public sealed class ConfiguredNode : IDisposable
{
    private readonly NodeFactory _node;

    public ConfiguredNode(string provider, IReadOnlyDictionary<string, string> settings, string? environment = null)
    {
        _node = new NodeFactory(provider);
        Factory = _node.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            if (environment is not null)
            {
                builder.UseEnvironment(environment);
            }
        });
    }

    public WebApplicationFactory<Program> Factory { get; }

    public void Dispose() => _node.Dispose();
}
