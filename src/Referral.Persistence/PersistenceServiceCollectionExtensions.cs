using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Referral.Persistence;

/// <summary>Registers the FHIR store on the configured provider and brings its schema up to date at start.</summary>
public static class PersistenceServiceCollectionExtensions
{
    public static IServiceCollection AddFhirPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        services.AddSingleton<WriteVolume>();
        services.AddSingleton<SqliteWriterQueue>();
        services.AddHostedService<PlannerStatisticsRefresher>();
        if (storage.Provider == "PostgreSql")
        {
            var connectionString = configuration.GetConnectionString("Fhir")
                ?? throw new OptionsValidationException("ConnectionStrings:Fhir", typeof(StorageOptions), ["Storage:Provider is PostgreSql but ConnectionStrings:Fhir is not set."]);
            services.AddDbContextPool<FhirDbContext, PostgresFhirDbContext>(o => o.UseNpgsql(TunedPostgresConnectionString(connectionString)));
        }
        else
        {
            Directory.CreateDirectory(storage.DataDirectory);
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(storage.DataDirectory, storage.SqliteFileName),
                DefaultTimeout = 30,
                Pooling = true,
            }.ToString();
            services.AddDbContextPool<FhirDbContext, SqliteFhirDbContext>(o => o.UseSqlite(connectionString)
                .UseCompiledSqliteStatements());
        }

        return services;
    }

    /// <summary>
    /// The node's PostgreSQL connection string with its performance settings, unless the operator set them: every
    /// search and write is one of a few dozen SQL shapes, so Npgsql prepares the frequent ones (PostgreSQL then does not
    /// plan them on every request); and a pooled connection is not reset when returned, since the node keeps no session
    /// state (its advisory locks are transaction-scoped), which saves a round of statements on every use.
    /// </summary>
    public static string TunedPostgresConnectionString(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        // The keys as the operator wrote them ("Max Auto Prepare" or "MaxAutoPrepare"): Npgsql's builder reports every
        // setting it knows, given or not.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 256;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!given.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ToString();
    }

    /// <summary>Applies pending migrations of the configured provider; on SQLite also switches the file to WAL so readers never wait for a writer.</summary>
    public static async Task MigrateFhirDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
