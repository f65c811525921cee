using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Referral.Persistence;
using Task = System.Threading.Tasks.Task;

namespace Referral.Identity.Audit;

/// <summary>
/// Appends to the audit trail with group commit: requests hand over their record and wait; the writer commits whatever
/// has queued up (up to <see cref="AuditOptions.MaxBatch"/>) in one transaction and then releases them all, so every
/// record is durable before its response is sent without one commit per request. It is the trail's only writer.
/// </summary>
public sealed class AuditWriter(IServiceScopeFactory scopes, IOptions<AuditOptions> options, ILogger<AuditWriter> logger) : BackgroundService
{
    private sealed record Pending(AuditRecord Record, TaskCompletionSource Stored);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private AsyncServiceScope? _writerScope;

    /// <summary>Completes once the record is committed; faults when it could not be (the request then fails rather than go unaudited).</summary>
    public Task WriteAsync(AuditRecord record) => Enqueue(record) ?? ShuttingDown();

    /// <summary>
    /// Hands over all the records of one request at once (a Bundle's and its entries'): they queue together, so the group
    /// commit that takes the first normally stores them all. Completes once every one is committed; faults when any could not be.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<AuditRecord> records)
    {
        var stored = new Task[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (Enqueue(records[i]) is not { } task)
            {
                return ShuttingDown();
            }

            stored[i] = task;
        }

        return Task.WhenAll(stored);
    }

    /// <summary>Queues one record for the next group commit; null once the writer takes no more (shutting down).</summary>
    private Task? Enqueue(AuditRecord record)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending) ? pending.Stored.Task : null;
    }

    private static Task ShuttingDown() =>
        Task.FromException(new InvalidOperationException("The node is shutting down; the access could not be audited."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: refuse new records, store the ones already waiting.
            _queue.Writer.TryComplete();
            await DrainAsync(batch);
        }
    }

    private async Task DrainAsync(List<Pending> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < options.Value.MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await StoreAsync(batch);
                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not store {Count} audit records; their requests fail", batch.Count);
                batch.ForEach(p => p.Stored.TrySetException(e));
                await ReleaseWriterContextAsync();
            }
        }
    }

    private async Task StoreAsync(List<Pending> batch)
    {
        var db = await WriterContextAsync();
        // EF's change tracking and SQL generation per batch would cost more than storing the rows.
        // No key read back: nothing uses a record's id before the trail is read.
        var plan = InsertPlan.For(db.Model, typeof(AuditRecord), returnKey: false);
        if (db.Database.GetDbConnection() is NpgsqlConnection postgres)
        {
            // One round trip without BEGIN and COMMIT: a batch runs as one implicit transaction, all rows or none.
            await using var inserts = new NpgsqlBatch(postgres);
            batch.ForEach(p => inserts.BatchCommands.Add(plan.PostgresCommand(p.Record)));
            await inserts.ExecuteNonQueryAsync();
            return;
        }

        // SQLite: one compiled INSERT re-bound per row.
        var sqlite = (SqliteConnection)db.Database.GetDbConnection();
        await using var transaction = (SqliteTransaction)await sqlite.BeginTransactionAsync();
        var command = plan.Command(transaction, out var owned);
        try
        {
            foreach (var pending in batch)
            {
                plan.Bind(command, pending.Record);
                await command.ExecuteNonQueryAsync();
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

    /// <summary>
    /// The writer's own context, open for the writer's life. On SQLite a connection's page cache is thrown away whenever
    /// another connection has written the file, so group commits spread over the pool's connections each re-read the
    /// trail's index pages from the WAL (about twenty reads a commit); one connection keeps them, and its compiled INSERT.
    /// </summary>
    private async Task<AuditTrailContext> WriterContextAsync()
    {
        if (_writerScope is { } current)
        {
            return current.ServiceProvider.GetRequiredService<AuditTrailContext>();
        }

        var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuditTrailContext>();
        await db.Database.OpenConnectionAsync();
        _writerScope = scope;
        return db;
    }

    /// <summary>After a failed commit the connection may be broken: the next batch starts on a fresh one.</summary>
    private async Task ReleaseWriterContextAsync()
    {
        if (_writerScope is { } scope)
        {
            _writerScope = null;
            await scope.DisposeAsync();
        }
    }

    public override void Dispose()
    {
        _writerScope?.Dispose();
        base.Dispose();
    }
}
