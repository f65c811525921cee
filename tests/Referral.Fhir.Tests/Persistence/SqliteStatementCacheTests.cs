using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>
/// The store's pooled SQLite contexts keep their statements compiled between requests, and doing so never shows a
/// request stale data or leaves a read transaction open.
/// </summary>
public sealed class SqliteStatementCacheTests : IAsyncLifetime
{
    private TemporarySqliteStore _store = null!;

    public async Task InitializeAsync() => _store = await TemporarySqliteStore.CreateAsync("statement-cache");

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_query_run_again_on_a_pooled_context_runs_on_the_statement_compiled_the_first_time()
    {
        SqliteConnection connection;
        SqliteCommand? first;
        await using (var scope = _store.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
            await CountPatientsAsync(db, "a");
            connection = (SqliteConnection)db.Database.GetDbConnection();
            Assert.Equal(ConnectionState.Open, connection.State);
            first = SqliteStatementCache.For(connection, SqlOf(db));
            Assert.NotNull(first);
        }

        await using (var scope = _store.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
            Assert.Same(connection, db.Database.GetDbConnection());
            Assert.Equal(ConnectionState.Open, connection.State);
            await CountPatientsAsync(db, "b");
            Assert.Same(first, SqliteStatementCache.For(connection, SqlOf(db)));
        }
    }

    [Fact]
    public async Task A_cached_query_sees_what_another_connection_committed_after_it_last_ran()
    {
        await using var readerScope = _store.CreateAsyncScope();
        var reader = readerScope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.Equal(0, await CountPatientsAsync(reader, "seen"));

        // A second context (so a second connection) commits while the first keeps its statements and connection.
        await using (var writerScope = _store.CreateAsyncScope())
        {
            var writer = writerScope.ServiceProvider.GetRequiredService<FhirDbContext>();
            await Task.Yield();
            writer.Resources.Add(new ResourceEntity
            {
                ResourceType = "Patient", ResourceId = "seen", VersionId = 1, Method = "POST", Json = "{}",
            });
            await writer.SaveChangesAsync();
        }

        Assert.Equal(1, await CountPatientsAsync(reader, "seen"));
    }

    [Fact]
    public async Task Connections_kept_open_hold_no_read_transaction_so_a_checkpoint_can_reset_the_log()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        await CountPatientsAsync(db, "x");

        await using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _store.DatabaseFile, Pooling = false }.ToString());
        await other.OpenAsync();
        await using var checkpoint = other.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await using var result = await checkpoint.ExecuteReaderAsync();
        Assert.True(await result.ReadAsync());
        Assert.Equal(0L, result.GetInt64(0)); // 1 would mean a reader blocked it.
    }

    private static IQueryable<long> Patients(FhirDbContext db, string id) =>
        db.Resources.Where(r => r.ResourceType == "Patient" && r.ResourceId == id).Select(r => r.Sid);

    private static async Task<int> CountPatientsAsync(FhirDbContext db, string id) => (await Patients(db, id).ToListAsync()).Count;

    /// <summary>The SQL EF runs for <see cref="Patients"/>, without the parameter declarations ToQueryString puts first.</summary>
    private static string SqlOf(FhirDbContext db) =>
        string.Join('\n', Patients(db, "any").ToQueryString().Split('\n').SkipWhile(l => l.StartsWith(".param", StringComparison.Ordinal) || l.Length == 0));
}
