using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Identity.Audit.Journal;
using Task = System.Threading.Tasks.Task;

namespace Referral.Identity.Audit;

/// <summary>
/// Takes every audit record and completes its task once the record is durable, so that no response leaves before its
/// record. With the journal (<see cref="AuditOptions.Journal"/>) the lanes of <see cref="AuditJournal"/> make records
/// durable in flushes that overlap, and the indexer moves them into the trail afterwards; without it the records are
/// group-committed to the trail itself: the writer commits whatever has queued up (up to
/// <see cref="AuditOptions.MaxBatch"/>) in one transaction and then releases them all.
/// </summary>
public sealed class AuditWriter(AuditTrailAppender trail, AuditIndexer indexer, IOptions<AuditOptions> options, ILogger<AuditWriter> logger)
    : BackgroundService
{
    private readonly Channel<PendingAudit> _queue = Channel.CreateUnbounded<PendingAudit>();

    /// <summary>With the journal, records queue for its lanes there instead.</summary>
    private readonly AuditJournal? _journal = options.Value.Journal == true
        ? new AuditJournal(options.Value.JournalDirectory!, options.Value, indexer, logger)
        : null;

    /// <summary>Completes once the record is durable; faults when it could not be (the request then fails rather than go unaudited).</summary>
    public Task WriteAsync(AuditRecord record) => WriteAsync([record]);

    /// <summary>
    /// Hands over all the records of one request at once (a Bundle's and its entries'): they are stored together, in
    /// their order. Completes once all are durable; faults when they could not be.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<AuditRecord> records)
    {
        // The journal completes records from a work item of its own, free to run their requests' continuations inline.
        var pending = new PendingAudit(records, new TaskCompletionSource(_journal is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None));
        return (_journal?.TryAdd(pending) ?? _queue.Writer.TryWrite(pending))
            ? pending.Stored.Task
            : Task.FromException(new InvalidOperationException("The node is shutting down; the access could not be audited."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_journal is not null)
        {
            var running = _journal.RunAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: refuse new records, journal the ones already waiting.
                _journal.Complete();
                await running;
            }

            return;
        }

        var batch = new List<PendingAudit>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await CommitQueuedAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: refuse new records, store the ones already waiting.
            _queue.Writer.TryComplete();
            await CommitQueuedAsync(batch);
        }
    }

    /// <summary>Without the journal: group commits straight to the trail until the queue is empty.</summary>
    private async Task CommitQueuedAsync(List<PendingAudit> batch)
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
                IReadOnlyList<AuditRecord> records = [.. batch.SelectMany(p => p.Records)];
                await trail.AppendAsync(records, []);
                AuditMeter.Flushes.Add(1);
                AuditMeter.Records.Add(records.Count);
                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not store the audit records of {Count} requests; they fail", batch.Count);
                batch.ForEach(p => p.Stored.TrySetException(e));
            }
        }
    }

    public override void Dispose()
    {
        _journal?.Dispose();
        base.Dispose();
    }
}
