using Microsoft.EntityFrameworkCore;
using Npgsql;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>A fresh PostgreSQL database per run with <see cref="SearchTestData"/>, dropped afterwards; created on first use so skipped tests need no server.</summary>
public sealed class PostgresSearchDatabase : IDisposable
{
    private readonly Lazy<string> _connectionString = new(Create);

    public FhirDbContext CreateContext() => Context(_connectionString.Value);

    public void Dispose()
    {
        if (_connectionString.IsValueCreated)
        {
            using var db = Context(_connectionString.Value);
            db.Database.EnsureDeleted();
        }
    }

    private static string Create()
    {
        var configured = PostgresFactAttribute.ConnectionString
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} must hold a PostgreSQL connection string when CI=true.");
        var connectionString = new NpgsqlConnectionStringBuilder(configured) { Database = $"referral_search_{Guid.NewGuid():N}" }.ConnectionString;
        using var db = Context(connectionString);
        db.Database.EnsureCreated();
        SearchTestData.Seed(db);
        return connectionString;
    }

    private static PostgresFhirDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresFhirDbContext>().UseNpgsql(connectionString).Options);
}
