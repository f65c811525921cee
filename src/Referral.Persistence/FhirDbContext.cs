using Microsoft.EntityFrameworkCore;

namespace Referral.Persistence;

/// <summary>The FHIR store: every resource version as JSON, and the search index rows of current versions.</summary>
public class FhirDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<ResourceEntity> Resources => Set<ResourceEntity>();
    public DbSet<StringIndexEntity> StringIndices => Set<StringIndexEntity>();
    public DbSet<TokenIndexEntity> TokenIndices => Set<TokenIndexEntity>();
    public DbSet<DateIndexEntity> DateIndices => Set<DateIndexEntity>();
    public DbSet<ReferenceIndexEntity> ReferenceIndices => Set<ReferenceIndexEntity>();
    public DbSet<QuantityIndexEntity> QuantityIndices => Set<QuantityIndexEntity>();
    public DbSet<NumberIndexEntity> NumberIndices => Set<NumberIndexEntity>();
    public DbSet<UriIndexEntity> UriIndices => Set<UriIndexEntity>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();

    private bool? _onSqlite;

    private bool? _onPostgres;

    /// <summary>
    /// <c>Database.IsSqlite()</c>, asked once per context: EF looks up and compares the provider assemblies' names on
    /// every call (about 1.7% of a search's CPU, where the query builders ask for every value). A pooled context keeps
    /// its provider, so the answer survives its reuse.
    /// </summary>
    public bool OnSqlite => _onSqlite ??= Database.IsSqlite();

    /// <summary><c>Database.IsNpgsql()</c>, asked once per context (see <see cref="OnSqlite"/>).</summary>
    public bool OnPostgres => _onPostgres ??= Database.IsNpgsql();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ResourceEntity>(e =>
        {
            e.ToTable("resource");
            e.HasKey(r => r.Sid);
            e.Property(r => r.ResourceType).HasMaxLength(64);
            e.Property(r => r.ResourceId).HasMaxLength(64);
            e.Property(r => r.Method).HasMaxLength(8);
            // Two writers that both read version n can't both store version n+1: one gets a unique violation and retries.
            e.HasIndex(r => new { r.ResourceType, r.ResourceId, r.VersionId }).IsUnique();
            // Flipping IsHistory is checked, so an update based on a version that is no longer current fails.
            e.Property(r => r.IsHistory).IsConcurrencyToken();
            e.HasIndex(r => new { r.ResourceType, r.IsHistory, r.LastUpdatedTicks });
            e.HasIndex(r => r.LastUpdatedTicks);
            e.Ignore(r => r.LastUpdated);
            e.HasMany(r => r.StringIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.TokenIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.DateIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.ReferenceIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.QuantityIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.NumberIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.UriIndices).WithOne().HasForeignKey(i => i.Sid).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_message");
            e.HasKey(m => m.Id);
            e.Property(m => m.Destination).HasMaxLength(128);
            e.Property(m => m.StreamKey).HasMaxLength(128);
            e.Property(m => m.BundleIdentifier).HasMaxLength(128);
            e.Property(m => m.LastError).HasMaxLength(512);
            e.HasIndex(m => m.BundleIdentifier).IsUnique();
            // The dispatcher's question: what is undelivered and due, oldest first.
            e.HasIndex(m => new { m.DeliveredTicks, m.NextAttemptTicks });
            e.HasIndex(m => new { m.StreamKey, m.Id });
        });
        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_message");
            e.HasKey(m => m.Id);
            e.Property(m => m.BundleIdentifier).HasMaxLength(128);
            e.Property(m => m.Source).HasMaxLength(128);
            e.Property(m => m.State).HasMaxLength(16);
            e.HasIndex(m => m.BundleIdentifier).IsUnique();
        });

        Index<StringIndexEntity>(modelBuilder, "string_index", e =>
        {
            e.Property(i => i.Normalized).HasMaxLength(256);
            e.Property(i => i.Exact).HasMaxLength(256);
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Normalized, i.Sid });
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Exact, i.Sid });
        });
        Index<TokenIndexEntity>(modelBuilder, "token_index", e =>
        {
            e.Property(i => i.System).HasMaxLength(256);
            e.Property(i => i.Code).HasMaxLength(256);
            e.Property(i => i.Text).HasMaxLength(256);
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Code, i.System, i.Sid });
        });
        Index<DateIndexEntity>(modelBuilder, "date_index", e =>
        {
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Start, i.End, i.Sid });
            e.HasIndex(i => new { i.ResourceType, i.Param, i.End, i.Sid });
        });
        Index<ReferenceIndexEntity>(modelBuilder, "reference_index", e =>
        {
            e.Property(i => i.TargetType).HasMaxLength(64);
            e.Property(i => i.TargetId).HasMaxLength(64);
            e.Property(i => i.Url).HasMaxLength(512);
            e.Property(i => i.IdentifierSystem).HasMaxLength(256);
            e.Property(i => i.IdentifierValue).HasMaxLength(256);
            e.HasIndex(i => new { i.ResourceType, i.Param, i.TargetId, i.TargetType, i.Sid });
            e.HasIndex(i => new { i.TargetId, i.TargetType, i.Param });
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Url, i.Sid });
            e.HasIndex(i => new { i.ResourceType, i.Param, i.IdentifierValue, i.Sid });
        });
        Index<QuantityIndexEntity>(modelBuilder, "quantity_index", e =>
        {
            e.Property(i => i.System).HasMaxLength(256);
            e.Property(i => i.Code).HasMaxLength(128);
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Low, i.High, i.Sid });
        });
        Index<NumberIndexEntity>(modelBuilder, "number_index", e =>
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Low, i.High, i.Sid }));
        Index<UriIndexEntity>(modelBuilder, "uri_index", e =>
        {
            e.Property(i => i.Uri).HasMaxLength(512);
            e.HasIndex(i => new { i.ResourceType, i.Param, i.Uri, i.Sid });
        });
    }

    private static void Index<T>(ModelBuilder modelBuilder, string table, Action<Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T>> configure)
        where T : IndexEntity
    {
        modelBuilder.Entity<T>(e =>
        {
            e.ToTable(table);
            e.HasKey(i => i.Id);
            e.Property(i => i.ResourceType).HasMaxLength(64);
            e.Property(i => i.Param).HasMaxLength(64);
            e.HasIndex(i => i.Sid);
            configure(e);
        });
    }
}
