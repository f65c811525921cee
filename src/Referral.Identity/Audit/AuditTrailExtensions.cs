using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Fhir;
using Referral.Fhir.Features.SeparateStores;
using Referral.Fhir.Features.Transactions;
using Referral.Identity.Audit.Journal;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>Registers the audit trail (its store, writer and search) and brings its schema up to date at start.</summary>
public static class AuditTrailExtensions
{
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.Provider == "PostgreSql")
        {
            var connectionString = PersistenceServiceCollectionExtensions.TunedPostgresConnectionString(configuration.GetConnectionString("Fhir")!);
            services.AddDbContextPool<AuditTrailContext, PostgresAuditTrailContext>(o => o
                .UseNpgsql(connectionString, n => n.MigrationsHistoryTable(AuditTrailContext.MigrationsHistoryTable)));
        }
        else
        {
            Directory.CreateDirectory(storage.DataDirectory);
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(storage.DataDirectory, AuditTrailContext.SqliteFileName),
                DefaultTimeout = 30,
            }.ToString();
            services.AddDbContextPool<AuditTrailContext, SqliteAuditTrailContext>(o => o
                .UseSqlite(connectionString, s => s.MigrationsHistoryTable(AuditTrailContext.MigrationsHistoryTable))
                .UseCompiledSqliteStatements());
        }

        services.PostConfigure<AuditOptions>(o =>
        {
            o.Journal ??= storage.Provider != "PostgreSql";
            o.JournalDirectory ??= Path.Combine(storage.DataDirectory, "audit-journal");
        });
        services.AddSingleton<AuditRecordFactory>();
        services.AddSingleton<AuditTrailAppender>();
        // The indexer is registered before the writer so that it stops after it, and stores what the lanes journaled last.
        services.AddSingleton<AuditIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditIndexer>());
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddSingleton(sp => new AuditTrailSearch(
            sp.GetRequiredService<IOptions<FhirOptions>>().Value, sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        // The FHIR API reaches AuditEvents through the store seam for system search and history, _revinclude and _has.
        services.AddScoped<AuditTrailStore>();
        services.AddScoped<ISeparateResourceStore>(sp => sp.GetRequiredService<AuditTrailStore>());
        services.AddSingleton<Referral.Fhir.Api.ICapabilityContributor, AuditTrailCapabilities>();
        if ((configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions()).Enabled)
        {
            // Only when requests are audited: the bundle processor then reports each entry for the middleware to record.
            services.AddSingleton<IBundleEntryAudit, BundleEntryAudit>();
        }

        return services;
    }

    /// <summary>
    /// Applies the trail's pending migrations (on SQLite also switching its file to WAL so admins' searches never wait for
    /// the writer), moves in any AuditEvents an earlier version left in the FHIR store, and stores what the audit journal
    /// holds from the last run.
    /// </summary>
    public static async Task MigrateAuditTrailAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditTrailContext>();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditTrailExtensions));
        if (await LegacyAuditEventImport.RunAsync(services, ct) is > 0 and var moved)
        {
            logger.LogInformation("Moved {Count} AuditEvents from the FHIR store into the audit trail", moved);
        }

        if (services.GetRequiredService<IOptions<AuditOptions>>().Value is { Journal: true, JournalDirectory: { } journal }
            && await services.GetRequiredService<AuditIndexer>().ReplayAsync(journal, ct) is > 0 and var replayed)
        {
            logger.LogInformation("Stored {Count} audit records the journal held from the last run", replayed);
        }
    }
}
