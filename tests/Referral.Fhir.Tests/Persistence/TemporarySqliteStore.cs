using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>The FHIR store's services on a migrated SQLite file in a directory of its own, deleted on dispose.</summary>
public sealed class TemporarySqliteStore : IAsyncDisposable
{
    private TemporarySqliteStore(string directory, ServiceProvider services)
    {
        Directory = directory;
        Services = services;
    }

    public string Directory { get; }

    public ServiceProvider Services { get; }

    public string DatabaseFile => Path.Combine(Directory, new StorageOptions().SqliteFileName);

    public static async Task<TemporarySqliteStore> CreateAsync(string purpose)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory(purpose + "-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory })
            .Build();
        var services = new ServiceCollection().AddFhirPersistence(configuration).BuildServiceProvider();
        await services.MigrateFhirDatabaseAsync();
        return new TemporarySqliteStore(directory, services);
    }

    public AsyncServiceScope CreateAsyncScope() => Services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
