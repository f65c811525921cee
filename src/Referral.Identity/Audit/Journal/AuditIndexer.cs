using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace Referral.Identity.Audit.Journal;

/// <summary>Records a journal lane has made durable, with where they end in their segment.</summary>
internal sealed record JournaledBatch(string Segment, long End, IReadOnlyList<AuditRecord> Records);

/// <summary>
/// Moves journaled records into the searchable audit trail: every <see cref="AuditOptions.IndexIntervalMilliseconds"/>
/// it stores what the lanes have made durable since, in one transaction with the segments' checkpoints, and deletes
/// segments that are full and wholly stored. Nobody waits for it on the way to a response; a read of the trail waits
/// until everything journaled before it is stored (<see cref="CaughtUpAsync"/>), so the trail is never behind what
/// its reader has been answered.
/// </summary>
public sealed class AuditIndexer(AuditTrailAppender appender, IOptions<AuditOptions> options, ILogger<AuditIndexer> logger) : BackgroundService
{
    /// <summary>The most records stored in one transaction.</summary>
    private const int MaxRecordsPerCommit = 5_000;

    private readonly Channel<JournaledBatch> _journaled = Channel.CreateUnbounded<JournaledBatch>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Full segments, with their final end, to delete once stored that far.</summary>
    private readonly Dictionary<string, (string Path, long End)> _closed = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();

    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Batches taken from the channel whose commit failed, tried again first.</summary>
    private readonly List<JournaledBatch> _backlog = [];

    private readonly Dictionary<string, long> _stored = new(StringComparer.Ordinal);

    private long _accepted;

    private bool _lanesStarted;

    private long _indexed;

    private TaskCompletionSource _wake = NewSignal();

    /// <summary>Called as the journal's lanes start, after any replay.</summary>
    internal void LanesStarting() => Volatile.Write(ref _lanesStarted, true);

    /// <summary>Takes a batch that is durable in the journal.</summary>
    internal void Accept(JournaledBatch batch)
    {
        Interlocked.Increment(ref _accepted);
        _journaled.Writer.TryWrite(batch);
    }

    /// <summary>Takes a segment that will get no more records, with the end of the last batch it accepted from it.</summary>
    internal void Closed(JournalSegment segment, long acceptedEnd)
    {
        lock (_gate)
        {
            _closed[segment.Name] = (segment.Path, acceptedEnd);
        }
    }

    /// <summary>Completes once every record journaled before the call is in the trail.</summary>
    public Task CaughtUpAsync(CancellationToken ct)
    {
        var target = Volatile.Read(ref _accepted);
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_indexed >= target)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            _wake.TrySetResult();
        }

        return done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Journal != true)
        {
            // Records go straight into the trail: nothing to move.
            return;
        }

        var interval = TimeSpan.FromMilliseconds(options.Value.IndexIntervalMilliseconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task wake;
                lock (_gate)
                {
                    wake = _wake.Task;
                }

                await Task.WhenAny(wake, Task.Delay(interval, stoppingToken));
                lock (_gate)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }
                }

                await IndexPendingAsync();
            }
        }
        finally
        {
            // Stopping: the lanes have stopped first (the writer is registered after the indexer), so this is the last of it.
            await IndexPendingAsync();
        }
    }

    /// <summary>
    /// At start, before anything is journaled: stores what the segments left by the last run hold beyond their
    /// checkpoints (records made durable and answered, but not yet in the trail when the node stopped), then deletes them.
    /// </summary>
    public async Task<int> ReplayAsync(string directory, CancellationToken ct)
    {
        if (Volatile.Read(ref _lanesStarted))
        {
            // From then on the lanes own the folder: its segments are being written, not left over.
            return 0;
        }

        Directory.CreateDirectory(directory);
        var checkpoints = await appender.CheckpointsAsync(ct);
        var replayed = 0;
        var segments = Directory.GetFiles(directory, "*" + JournalSegment.Extension).Order(StringComparer.Ordinal).ToList();
        foreach (var path in segments)
        {
            var name = Path.GetFileName(path);
            foreach (var chunk in JournalSegment.Read(path, checkpoints.GetValueOrDefault(name)).Chunk(MaxRecordsPerCommit))
            {
                await appender.AppendAsync([.. chunk.Select(c => c.Record)], [new JournalCheckpoint { Segment = name, IndexedOffset = chunk[^1].End }]);
                replayed += chunk.Length;
            }

            File.Delete(path);
        }

        await appender.ForgetCheckpointsAsync([.. checkpoints.Keys.Union(segments.Select(p => Path.GetFileName(p)))], ct);
        return replayed;
    }

    private async Task IndexPendingAsync()
    {
        while (true)
        {
            var batches = new List<JournaledBatch>(_backlog);
            _backlog.Clear();
            var count = batches.Sum(b => b.Records.Count);
            while (count < MaxRecordsPerCommit && _journaled.Reader.TryRead(out var next))
            {
                batches.Add(next);
                count += next.Records.Count;
            }

            if (batches.Count == 0)
            {
                return;
            }

            var checkpoints = batches.GroupBy(b => b.Segment, StringComparer.Ordinal)
                .Select(g => new JournalCheckpoint { Segment = g.Key, IndexedOffset = g.Max(b => b.End) }).ToList();
            try
            {
                await appender.AppendAsync([.. batches.SelectMany(b => b.Records)], checkpoints);
            }
            catch (Exception e)
            {
                // The records are durable in the journal: keep them and try again at the next interval.
                logger.LogError(e, "Could not move {Count} journaled audit records into the audit trail; trying again", count);
                _backlog.AddRange(batches);
                return;
            }

            checkpoints.ForEach(c => _stored[c.Segment] = c.IndexedOffset);
            Release(batches.Count);
            await DeleteStoredSegmentsAsync();
        }
    }

    private void Release(int batches)
    {
        lock (_gate)
        {
            _indexed += batches;
            foreach (var (_, done) in _waiters.Where(w => w.Target <= _indexed))
            {
                done.TrySetResult();
            }

            _waiters.RemoveAll(w => w.Done.Task.IsCompleted);
        }
    }

    /// <summary>A full segment stored to its end is deleted, then its checkpoint (a checkpoint without its file is harmless).</summary>
    private async Task DeleteStoredSegmentsAsync()
    {
        List<(string Name, string Path)> done;
        lock (_gate)
        {
            done = [.. _closed.Where(c => _stored.GetValueOrDefault(c.Key) >= c.Value.End).Select(c => (c.Key, c.Value.Path))];
            done.ForEach(d => _closed.Remove(d.Name));
        }

        if (done.Count == 0)
        {
            return;
        }

        foreach (var (name, path) in done)
        {
            File.Delete(path);
            _stored.Remove(name);
        }

        try
        {
            await appender.ForgetCheckpointsAsync([.. done.Select(d => d.Name)], CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not drop the checkpoints of {Count} deleted audit journal segments", done.Count);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
