using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Referral.Identity.Issuer;

/// <summary>
/// The embedded issuer's tables (OpenIddict applications, authorizations, scopes, tokens), on the node's database
/// provider but with their own migrations and migrations-history table.
/// </summary>
public class IdentityStoreContext(DbContextOptions options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__IdentityMigrationsHistory";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();
    }
}

/// <summary>The issuer's tables on SQLite (a file of their own beside the FHIR store); owns the SQLite migrations.</summary>
public sealed class SqliteIdentityStoreContext(DbContextOptions<SqliteIdentityStoreContext> options) : IdentityStoreContext(options);

/// <summary>The issuer's tables in the node's PostgreSQL database; owns the PostgreSQL migrations.</summary>
public sealed class PostgresIdentityStoreContext(DbContextOptions<PostgresIdentityStoreContext> options) : IdentityStoreContext(options);

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the web host.</summary>
public sealed class SqliteIdentityDesignTimeFactory : IDesignTimeDbContextFactory<SqliteIdentityStoreContext>
{
    public SqliteIdentityStoreContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteIdentityStoreContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(IdentityStoreContext.MigrationsHistoryTable)).Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
public sealed class PostgresIdentityDesignTimeFactory : IDesignTimeDbContextFactory<PostgresIdentityStoreContext>
{
    public PostgresIdentityStoreContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresIdentityStoreContext>()
            .UseNpgsql("Host=localhost;Database=design", o => o.MigrationsHistoryTable(IdentityStoreContext.MigrationsHistoryTable)).Options);
}
