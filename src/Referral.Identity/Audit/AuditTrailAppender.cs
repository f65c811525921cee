using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit trail's only writer: appends records, and the journal checkpoints that say how far they came from, in one
/// transaction on a connection kept open for the node's life. On SQLite a connection's page cache is thrown away
/// whenever another connection has written the file, so commits spread over the pool's connections would each re-read
/// the trail's index pages from the WAL (about twenty reads a commit); one connection keeps them, and its compiled INSERT.
/// </summary>
public sealed class AuditTrailAppender(IServiceScopeFactory scopes) : IAsyncDisposable
{
    private static readonly string UpsertCheckpoint =
        $"INSERT INTO \"{AuditTrailContext.CheckpointTable}\" (\"{nameof(JournalCheckpoint.Segment)}\", \"{nameof(JournalCheckpoint.IndexedOffset)}\") VALUES ($1, $2) "
        + $"ON CONFLICT (\"{nameof(JournalCheckpoint.Segment)}\") DO UPDATE SET \"{nameof(JournalCheckpoint.IndexedOffset)}\" = excluded.\"{nameof(JournalCheckpoint.IndexedOffset)}\"";

    private AsyncServiceScope? _scope;

    /// <summary>Stores the records and moves the checkpoints, all or nothing.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditRecord> records, IReadOnlyCollection<JournalCheckpoint> checkpoints)
    {
        try
        {
            await StoreAsync(records, checkpoints);
        }
        catch
        {
            // The connection may be broken: the next append starts on a fresh one.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>How far each journal segment has been indexed.</summary>
    public async Task<Dictionary<string, long>> CheckpointsAsync(CancellationToken ct) =>
        await (await ContextAsync()).Checkpoints.AsNoTracking().ToDictionaryAsync(c => c.Segment, c => c.IndexedOffset, StringComparer.Ordinal, ct);

    /// <summary>Drops the checkpoints of segments that are gone (their records are in the trail).</summary>
    public async Task ForgetCheckpointsAsync(IReadOnlyCollection<string> segments, CancellationToken ct) =>
        await (await ContextAsync()).Checkpoints.Where(c => segments.Contains(c.Segment)).ExecuteDeleteAsync(ct);

    private async Task StoreAsync(IReadOnlyList<AuditRecord> records, IReadOnlyCollection<JournalCheckpoint> checkpoints)
    {
        var db = await ContextAsync();
        // EF's change tracking and SQL generation per batch would cost more than storing the rows.
        // No key read back: nothing uses a record's id before the trail is read.
        var plan = InsertPlan.For(db.Model, typeof(AuditRecord), returnKey: false);
        if (db.Database.GetDbConnection() is NpgsqlConnection postgres)
        {
            // One round trip without BEGIN and COMMIT: a batch runs as one implicit transaction, all rows or none.
            await using var batch = new NpgsqlBatch(postgres);
            foreach (var record in records)
            {
                batch.BatchCommands.Add(plan.PostgresCommand(record));
            }

            foreach (var checkpoint in checkpoints)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(UpsertCheckpoint)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = checkpoint.Segment },
                        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = checkpoint.IndexedOffset },
                    },
                });
            }

            await batch.ExecuteNonQueryAsync();
            return;
        }

        // SQLite: one compiled INSERT re-bound per row.
        var sqlite = (SqliteConnection)db.Database.GetDbConnection();
        await using var transaction = (SqliteTransaction)await sqlite.BeginTransactionAsync();
        var command = plan.Command(transaction, out var owned);
        try
        {
            foreach (var record in records)
            {
                plan.Bind(command, record);
                await command.ExecuteNonQueryAsync();
            }

            foreach (var checkpoint in checkpoints)
            {
                await using var upsert = sqlite.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = UpsertCheckpoint;
                upsert.Parameters.AddWithValue("$1", checkpoint.Segment);
                upsert.Parameters.AddWithValue("$2", checkpoint.IndexedOffset);
                await upsert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }
        finally
        {
            if (owned)
            {
                await command.DisposeAsync();
            }
        }
    }

    private async Task<AuditTrailContext> ContextAsync()
    {
        if (_scope is { } current)
        {
            return current.ServiceProvider.GetRequiredService<AuditTrailContext>();
        }

        var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditTrailContext>();
        await db.Database.OpenConnectionAsync();
        _scope = scope;
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            await scope.DisposeAsync();
        }
    }
}
