using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Referral.Identity.Audit.Journal;

/// <summary>
/// The records of one request on their way to the audit trail (a Bundle's and its entries' travel together, so they are
/// stored in one flush and in their order), and the request waiting for them to be durable.
/// </summary>
internal sealed record PendingAudit(IReadOnlyList<AuditRecord> Records, TaskCompletionSource Stored);

/// <summary>
/// Makes audit records durable before their responses with several flushes in flight. Each lane has a segment file of
/// its own; whenever records are waiting and a lane is free, the lane takes all of them, appends them, flushes its file
/// and releases their requests, while other lanes do the same with what arrives meanwhile. Flushes to separate files
/// overlap on a disk, where the trail's single SQLite writer could only commit one group after the other; the records
/// reach the searchable trail afterwards, through the <see cref="AuditIndexer"/>. Everything runs on the thread pool, as
/// the requests do: a dedicated thread per lane, woken for every batch, cost more CPU in wake-ups than the flushes.
/// </summary>
internal sealed class AuditJournal(string directory, AuditOptions options, AuditIndexer indexer, ILogger logger) : IDisposable
{
    private readonly Channel<PendingAudit> _queue = Channel.CreateUnbounded<PendingAudit>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SemaphoreSlim _freeLanes = new(options.JournalLanes, options.JournalLanes);

    private readonly Stack<Lane> _lanes = new(Enumerable.Range(0, options.JournalLanes).Select(_ => new Lane()));

    /// <summary>Queues a request's records; false once the journal takes no more (shutting down).</summary>
    public bool TryAdd(PendingAudit pending) => _queue.Writer.TryWrite(pending);

    /// <summary>Takes no more records; <see cref="RunAsync"/> ends once those queued are durable.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Hands queued records to free lanes until <see cref="Complete"/>, then waits for the last flushes.</summary>
    public async Task RunAsync()
    {
        indexer.LanesStarting();
        Directory.CreateDirectory(directory);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            await _freeLanes.WaitAsync();
            // Everything that queued while every lane was busy goes into this one flush.
            var batch = new List<PendingAudit>();
            while (batch.Count < options.MaxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            Lane lane;
            lock (_lanes)
            {
                lane = _lanes.Pop();
            }

            // The flush blocks its thread for the disk's time, so it runs as a work item of its own.
            _ = Task.Run(() =>
            {
                Exception? failure = null;
                try
                {
                    Store(lane, batch);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    lock (_lanes)
                    {
                        _lanes.Push(lane);
                    }

                    _freeLanes.Release();
                }

                // With the lane free again, this thread goes on with the requests themselves (their continuations run
                // inline), instead of waking a thread per request.
                foreach (var pending in batch)
                {
                    if (failure is null)
                    {
                        pending.Stored.TrySetResult();
                    }
                    else
                    {
                        pending.Stored.TrySetException(failure);
                    }
                }
            });
        }

        for (var i = 0; i < options.JournalLanes; i++)
        {
            await _freeLanes.WaitAsync();
        }

        foreach (var lane in _lanes)
        {
            lane.Close(indexer);
            lane.DiscardSpare();
        }
    }

    private void Store(Lane lane, List<PendingAudit> batch)
    {
        try
        {
            var records = batch.SelectMany(p => p.Records).ToList();
            lane.Frames.Clear();
            records.ForEach(lane.Frames.Add);
            var segment = lane.Segment ?? lane.Roll(indexer, NewSegment);
            if (!segment.TryAppend(lane.Frames.Written))
            {
                segment = lane.Roll(indexer, NewSegment);
                if (!segment.TryAppend(lane.Frames.Written))
                {
                    throw new InvalidOperationException($"{records.Count} audit records do not fit in one journal segment; raise Audit:JournalSegmentMiB.");
                }
            }

            segment.Flush();
            AuditMeter.Flushes.Add(1);
            AuditMeter.Records.Add(records.Count);
            lane.AcceptedEnd = segment.End;
            indexer.Accept(new JournaledBatch(segment.Name, segment.End, records));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not journal the audit records of {Count} requests; they fail", batch.Count);
            // What the failed write left in the file is unknown: the lane's next batch starts a new segment.
            lane.Close(indexer);
            throw;
        }
    }

    public void Dispose() => _freeLanes.Dispose();

    private JournalSegment NewSegment() => JournalSegment.Create(directory, options.JournalSegmentMiB * 1024L * 1024L);

    /// <summary>One lane's file and what it has appended; used by one flush at a time.</summary>
    private sealed class Lane
    {
        public JournalFrames Frames { get; } = new();

        public JournalSegment? Segment { get; private set; }

        /// <summary>The end of the last batch of the current segment handed to the indexer.</summary>
        public long AcceptedEnd { get; set; }

        /// <summary>The next segment, zero-filled in the background while this one fills.</summary>
        private Task<JournalSegment>? _spare;

        /// <summary>Closes the current segment (if any) and continues in the spare.</summary>
        public JournalSegment Roll(AuditIndexer indexer, Func<JournalSegment> create)
        {
            Close(indexer);
            var next = _spare ?? Task.Run(create);
            // Taken even if it failed (a full disk): the next batch then tries a new one.
            _spare = null;
            Segment = next.GetAwaiter().GetResult();
            _spare = Task.Run(create);
            return Segment;
        }

        /// <summary>Tells the indexer the segment gets no more records, so it can be deleted once they are in the trail.</summary>
        public void Close(AuditIndexer indexer)
        {
            if (Segment is { } closed)
            {
                indexer.Closed(closed, AcceptedEnd);
                closed.Dispose();
                Segment = null;
            }

            AcceptedEnd = 0;
        }

        /// <summary>At shutdown: the spare was never written to, so nothing of it needs keeping.</summary>
        public void DiscardSpare()
        {
            Frames.Dispose();
            if (_spare is not { } spare)
            {
                return;
            }

            try
            {
                var unused = spare.GetAwaiter().GetResult();
                unused.Dispose();
                File.Delete(unused.Path);
            }
            catch (IOException)
            {
                // Its creation failed: there is no file to delete.
            }
        }
    }
}
