using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>An in-memory SQLite store with <see cref="SearchTestData"/>, shared by the tests of a class.</summary>
public sealed class SqliteSearchDatabase : IDisposable
{
    private readonly SqliteConnection _connection = new("DataSource=:memory:");

    public SqliteSearchDatabase()
    {
        // The in-memory database lives as long as this connection stays open.
        _connection.Open();
        using var db = CreateContext();
        db.Database.EnsureCreated();
        SearchTestData.Seed(db);
    }

    public FhirDbContext CreateContext() =>
        new SqliteFhirDbContext(new DbContextOptionsBuilder<SqliteFhirDbContext>().UseSqlite(_connection).Options);

    public void Dispose() => _connection.Dispose();
}
