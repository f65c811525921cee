using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Referral.FunctionalTests;

/// <summary>A whole node in the test host on a fresh database of the given provider (no demo data).</summary>
public sealed class NodeFactory : WebApplicationFactory<Program>
{
    private readonly string _provider;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "referral-tests", Guid.NewGuid().ToString("N"));
    private readonly string? _postgresConnection;

    public NodeFactory(string provider)
    {
        _provider = provider;
        if (provider == "PostgreSql")
        {
            _postgresConnection = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString)
            {
                Database = $"referral_test_{Guid.NewGuid():N}",
            }.ToString();
        }
    }

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
        if (_postgresConnection is not null)
        {
            builder.UseSetting("ConnectionStrings:Fhir", _postgresConnection);
        }
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
