using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Referral.FunctionalTests;

/// <summary>
/// A whole node in the test host on a fresh database of the given provider (no demo data). Its clients carry a token
/// of the node's admin script client unless a test asks for another caller; audit is off unless a test turns it on,
/// so tests that count versions see only their own writes.
/// </summary>
public sealed class NodeFactory : WebApplicationFactory<Program>
{
    /// <summary>The issuer URL as the test host sees itself.</summary>
    public const string Issuer = "http://localhost/";

    private readonly string _provider;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "referral-tests", Guid.NewGuid().ToString("N"));
    private readonly string? _postgresConnection;
    private string? _adminToken;
    private bool _fetchingToken;

    public NodeFactory(string provider, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _provider = provider;
        _settings = settings ?? new Dictionary<string, string?>();
        if (provider == "PostgreSql")
        {
            _postgresConnection = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString)
            {
                Database = $"referral_test_{Guid.NewGuid():N}",
            }.ToString();
        }
    }

    public string DataDirectory => _dataDirectory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:Provider", _provider);
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);
        builder.UseSetting("DemoData:Seed", "false");
        // Not the built-in defaults, so tests see that search and history page by the configuration.
        builder.UseSetting("Fhir:DefaultPageSize", "25");
        builder.UseSetting("Fhir:MaxPageSize", "500");
        builder.UseSetting("Storage:AnalyzeAfterWrites", "50");
        builder.UseSetting("Fhir:MaxBodyBytes", (12 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Authentication:Issuer", Issuer);
        builder.UseSetting("Audit:Enabled", "false");
        if (_postgresConnection is not null)
        {
            builder.UseSetting("ConnectionStrings:Fhir", _postgresConnection);
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (!_fetchingToken)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken ??= TokenAsync("scripts", "scripts-demo-secret").GetAwaiter().GetResult());
        }
    }

    /// <summary>A client with no token at all (on the in-memory server and on Kestrel alike).</summary>
    public HttpClient CreateAnonymousClient()
    {
        _fetchingToken = true;
        try
        {
            return CreateDefaultClient();
        }
        finally
        {
            _fetchingToken = false;
        }
    }

    /// <summary>A client calling with <paramref name="accessToken"/>.</summary>
    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>A client-credentials access token from the node's embedded issuer.</summary>
    public async Task<string> TokenAsync(string clientId, string secret, string? scope = null)
    {
        using var client = CreateAnonymousClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Token request for {clientId} failed with {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

/// <summary>The PostgreSQL server the test script started (<c>REFERRAL_TEST_POSTGRES</c>); its absence is a failure, never a skip.</summary>
public static class PostgresServer
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("REFERRAL_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "REFERRAL_TEST_POSTGRES is not set. Run the suite with 'bash deploy/run-tests.sh', which starts a throw-away PostgreSQL cluster.");
}
