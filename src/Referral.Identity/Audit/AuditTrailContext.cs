using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail: on SQLite a file of its own beside the FHIR store (so audit commits neither queue behind FHIR
/// writes nor invalidate the readers' page caches of the store), on PostgreSQL a table in the node's database; with its
/// own migrations and migrations-history table.
/// </summary>
public class AuditTrailContext(DbContextOptions options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__AuditMigrationsHistory";

    public const string SqliteFileName = "audit.db";

    public const string CheckpointTable = "audit_journal_checkpoint";

    public DbSet<AuditRecord> Records => Set<AuditRecord>();

    public DbSet<JournalCheckpoint> Checkpoints => Set<JournalCheckpoint>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditRecord>(e =>
        {
            e.ToTable("audit_event");
            e.HasKey(r => r.Id);
            e.Ignore(r => r.Recorded);
            foreach (var column in new[] { nameof(AuditRecord.Subtype), nameof(AuditRecord.Action) })
            {
                e.Property(column).HasMaxLength(32);
            }

            e.Property(r => r.RequestId).HasMaxLength(64);

            // The trail is mostly asked "what happened to this record", "what did this person do" and "what happened when".
            e.HasIndex(r => r.RecordedTicks);
            e.HasIndex(r => new { r.EntityType, r.EntityId });
            e.HasIndex(r => r.AgentReference);
            e.HasIndex(r => r.AltId);
        });

        modelBuilder.Entity<JournalCheckpoint>(e =>
        {
            e.ToTable(CheckpointTable);
            e.HasKey(c => c.Segment);
            e.Property(c => c.Segment).HasMaxLength(128);
        });
    }
}

/// <summary>The audit trail on SQLite; owns the SQLite migrations.</summary>
public sealed class SqliteAuditTrailContext(DbContextOptions<SqliteAuditTrailContext> options) : AuditTrailContext(options);

/// <summary>The audit trail on PostgreSQL; owns the PostgreSQL migrations.</summary>
public sealed class PostgresAuditTrailContext(DbContextOptions<PostgresAuditTrailContext> options) : AuditTrailContext(options);

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the web host.</summary>
public sealed class SqliteAuditDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAuditTrailContext>
{
    public SqliteAuditTrailContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAuditTrailContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(AuditTrailContext.MigrationsHistoryTable)).Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
public sealed class PostgresAuditDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAuditTrailContext>
{
    public PostgresAuditTrailContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAuditTrailContext>()
            .UseNpgsql("Host=localhost;Database=design", o => o.MigrationsHistoryTable(AuditTrailContext.MigrationsHistoryTable)).Options);
}
