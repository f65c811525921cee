using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Referral.Persistence;

/// <summary>The store on SQLite (the embedded default); owns the SQLite migrations.</summary>
public sealed class SqliteFhirDbContext(DbContextOptions<SqliteFhirDbContext> options) : FhirDbContext(options);

/// <summary>The store on PostgreSQL (production); owns the PostgreSQL migrations.</summary>
public sealed class PostgresFhirDbContext(DbContextOptions<PostgresFhirDbContext> options) : FhirDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the web host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFhirDbContext>
{
    public SqliteFhirDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteFhirDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFhirDbContext>
{
    public PostgresFhirDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresFhirDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
