using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Referral.Persistence;

/// <summary>The store on SQLite (the embedded default); owns the SQLite migrations.</summary>
public sealed class SqliteFhirDbContext(DbContextOptions<SqliteFhirDbContext> options) : FhirDbContext(options);

/// <summary>The store on PostgreSQL (production); owns the PostgreSQL migrations.</summary>
public sealed class PostgresFhirDbContext(DbContextOptions<PostgresFhirDbContext> options) : FhirDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Byte-order ("C") collation on the prefix-searched columns: their b-tree indexes then serve LIKE 'x%'
        // (string and uri :below search) whatever the database's default locale is.
        modelBuilder.Entity<StringIndexEntity>().Property(i => i.Normalized).UseCollation("C");
        modelBuilder.Entity<UriIndexEntity>().Property(i => i.Uri).UseCollation("C");
    }
}

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
