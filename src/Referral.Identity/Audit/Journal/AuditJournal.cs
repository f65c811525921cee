using Microsoft.Extensions.Logging;

namespace Referral.Identity.Audit.Journal;

/// <summary>
/// The records of one request on their way to the audit trail (a Bundle's and its entries' travel together, so they are
/// stored in one flush and in their order), and the request waiting for them to be durable.
/// </summary>
internal sealed record PendingAudit(IReadOnlyList<AuditRecord> Records, TaskCompletionSource Stored);

/// <summary>
/// Makes audit records durable before their responses with several flushes in flight: each lane is a thread with a
/// segment file of its own that takes whatever records are waiting, appends them, flushes the file and then releases
/// their requests, while the other lanes do the same. Flushes to separate files overlap on a disk, where the trail's
/// single SQLite writer could only commit one group after the other; the records reach the searchable trail afterwards,
/// through the <see cref="AuditIndexer"/>.
/// </summary>
internal sealed class AuditJournal(string directory, AuditOptions options, AuditIndexer indexer, ILogger logger)
{
    private readonly List<Thread> _lanes = [];

    private readonly AuditIndexer _indexer = indexer;

    private readonly ILogger _logger = logger;

    private readonly int _maxBatch = options.MaxBatch;

    /// <summary>Starts the lanes on <paramref name="queue"/>; they run until it is completed and empty.</summary>
    public void Start(LaneQueue queue)
    {
        _indexer.LanesStarting();
        Directory.CreateDirectory(directory);
        for (var i = 0; i < options.JournalLanes; i++)
        {
            var lane = new Lane(this, queue);
            var thread = new Thread(lane.Run) { IsBackground = true, Name = $"audit-journal-{i}" };
            _lanes.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Waits for the lanes to finish what was queued.</summary>
    public void Join() => _lanes.ForEach(t => t.Join());

    private long SegmentBytes => options.JournalSegmentMiB * 1024L * 1024L;

    private JournalSegment NewSegment() => JournalSegment.Create(directory, SegmentBytes);

    private sealed class Lane(AuditJournal journal, LaneQueue queue)
    {
        private readonly List<PendingAudit> _batch = [];

        private JournalSegment? _segment;

        /// <summary>The next segment, zero-filled in the background while this one fills.</summary>
        private Task<JournalSegment>? _spare;

        /// <summary>The end of the last batch of the current segment handed to the indexer.</summary>
        private long _acceptedEnd;

        public void Run()
        {
            using var frames = new JournalFrames();
            while (queue.TryTake(_batch, journal._maxBatch))
            {
                Store(frames);
                _batch.Clear();
            }

            if (_segment is { } last)
            {
                journal._indexer.Closed(last, _acceptedEnd);
                last.Dispose();
            }

            if (_spare is { } spare)
            {
                // Never written to: nothing of it needs keeping.
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

        private void Store(JournalFrames frames)
        {
            try
            {
                frames.Clear();
                var records = _batch.SelectMany(p => p.Records).ToList();
                records.ForEach(frames.Add);
                var segment = _segment ?? Roll();
                if (!segment.TryAppend(frames.Written))
                {
                    segment = Roll();
                    if (!segment.TryAppend(frames.Written))
                    {
                        throw new InvalidOperationException($"{records.Count} audit records do not fit in one journal segment; raise Audit:JournalSegmentMiB.");
                    }
                }

                segment.Flush();
                _acceptedEnd = segment.End;
                journal._indexer.Accept(new JournaledBatch(segment.Name, segment.End, records));
                _batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception e)
            {
                journal._logger.LogError(e, "Could not journal the audit records of {Count} requests; they fail", _batch.Count);
                _batch.ForEach(p => p.Stored.TrySetException(e));
                // What the failed write left in the file is unknown: the next batch starts a new segment.
                if (_segment is not null)
                {
                    Close();
                }
            }
        }

        /// <summary>Closes the current segment (if any) and continues in the spare.</summary>
        private JournalSegment Roll()
        {
            Close();
            var next = _spare ?? Task.Run(journal.NewSegment);
            // Taken even if it failed (a full disk): the next batch then tries a new one.
            _spare = null;
            _segment = next.GetAwaiter().GetResult();
            _spare = Task.Run(journal.NewSegment);
            return _segment;
        }

        private void Close()
        {
            if (_segment is { } closed)
            {
                journal._indexer.Closed(closed, _acceptedEnd);
                closed.Dispose();
                _segment = null;
            }

            _acceptedEnd = 0;
        }
    }
}
