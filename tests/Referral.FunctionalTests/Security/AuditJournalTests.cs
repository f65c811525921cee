using System.Buffers.Binary;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;
using Referral.Identity.Audit;
using Referral.Identity.Audit.Journal;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>The audit journal's files: what a lane appends is read back whole, and a frame torn by a crash ends the file.</summary>
public sealed class AuditJournalSegmentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("referral-journal-").FullName;

    [Fact]
    public void Appended_records_are_read_back_in_order_each_with_where_its_frame_ends()
    {
        using var segment = JournalSegment.Create(_directory, 64 * 1024);
        var records = Enumerable.Range(1, 3).Select(Record).ToList();
        using var frames = new JournalFrames();
        records.ForEach(frames.Add);
        Assert.True(segment.TryAppend(frames.Written));
        segment.Flush();

        var read = JournalSegment.Read(segment.Path, 0).ToList();

        Assert.Equivalent(records, read.Select(r => r.Record), strict: true);
        Assert.Equal(segment.End, read[^1].End);
        Assert.Equal(read[0].End, JournalSegment.Read(segment.Path, 0).First().End);
        // Read from the end of the first frame: the rest only, as after a checkpoint.
        Assert.Equal(["2", "3"], JournalSegment.Read(segment.Path, read[0].End).Select(r => r.Record.EntityId));
    }

    [Fact]
    public void A_frame_torn_by_a_crash_and_everything_after_it_are_not_read()
    {
        string path;
        long secondFrame;
        using (var segment = JournalSegment.Create(_directory, 64 * 1024))
        {
            path = segment.Path;
            using var frames = new JournalFrames();
            frames.Add(Record(1));
            Assert.True(segment.TryAppend(frames.Written));
            secondFrame = segment.End;
            frames.Clear();
            frames.Add(Record(2));
            frames.Add(Record(3));
            Assert.True(segment.TryAppend(frames.Written));
            segment.Flush();
        }

        // The crash hit while the second frame's payload was being written: one byte of it never reached the disk.
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var length = new byte[4];
            RandomAccess.Read(file, length, secondFrame);
            RandomAccess.Write(file, new byte[1], secondFrame + 8 + BinaryPrimitives.ReadInt32LittleEndian(length) - 1);
        }

        Assert.Equal(["1"], JournalSegment.Read(path, 0).Select(r => r.Record.EntityId));
    }

    [Fact]
    public void A_batch_that_does_not_fit_is_refused_and_leaves_the_segment_as_it_was()
    {
        using var segment = JournalSegment.Create(_directory, 4096);
        using var frames = new JournalFrames();
        for (var i = 0; i < 40; i++)
        {
            frames.Add(Record(i));
        }

        Assert.False(segment.TryAppend(frames.Written));
        Assert.Equal(0, segment.End);
        Assert.Empty(JournalSegment.Read(segment.Path, 0));
    }

    internal static AuditRecord Record(int n) => new()
    {
        RecordedTicks = new DateTime(2026, 12, 2, 8, 0, n % 60, DateTimeKind.Utc).Ticks,
        Subtype = "read",
        Action = "R",
        Status = 200,
        AgentClient = "scripts",
        Organization = "Organization/municipal-hospital",
        EntityType = "Patient",
        EntityId = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Address = "127.0.0.1",
        RequestId = "0HN:" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>
/// What the journal holds when a node stops without moving it into the trail (killed, or the power went) is stored at
/// the next start: every record once, from where the trail's checkpoint says it ended.
/// </summary>
public sealed class AuditJournalReplayTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("referral-replay-").FullName;

    [Fact]
    public async System.Threading.Tasks.Task Records_left_in_the_journal_are_in_the_trail_after_the_next_start_each_once()
    {
        var marker = Guid.NewGuid().ToString("N");
        using (var first = Node())
        using (first.CreateClient())
        {
            // Started once and stopped, so the trail exists and the journal was moved into it on the way down.
        }

        var journal = Path.Combine(_dataDirectory, "audit-journal");
        Assert.Empty(Directory.GetFiles(journal, "*" + JournalSegment.Extension));

        // As a killed node leaves it: a segment with three durable records, the first of them already in the trail.
        string segmentName;
        long firstEnd;
        using (var segment = JournalSegment.Create(journal, 64 * 1024))
        {
            segmentName = segment.Name;
            using var frames = new JournalFrames();
            foreach (var n in new[] { 1, 2, 3 })
            {
                var record = AuditJournalSegmentTests.Record(n);
                record.EntityId = $"{marker}-{n}";
                frames.Add(record);
            }

            Assert.True(segment.TryAppend(frames.Written));
            segment.Flush();
            firstEnd = JournalSegment.Read(segment.Path, 0).First().End;
        }

        await using (var trail = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, AuditTrailContext.SqliteFileName)};Pooling=false"))
        {
            await trail.OpenAsync();
            using var stored = trail.CreateCommand();
            stored.CommandText = $"""
                INSERT INTO audit_event (RecordedTicks, Subtype, Action, Status, EntityType, EntityId) VALUES (1, 'read', 'R', 200, 'Patient', '{marker}-1');
                INSERT INTO {AuditTrailContext.CheckpointTable} (Segment, IndexedOffset) VALUES ('{segmentName}', {firstEnd});
                """;
            await stored.ExecuteNonQueryAsync();
        }

        using var second = Node();
        using var admin = second.CreateClient();
        foreach (var n in new[] { 1, 2, 3 })
        {
            Assert.Single((await admin.SearchAsync($"AuditEvent?entity=Patient/{marker}-{n}")).Matches<AuditEvent>());
        }

        Assert.DoesNotContain(Directory.GetFiles(journal), f => f.EndsWith(segmentName, StringComparison.Ordinal));
    }

    private NodeFactory Node() => new("Sqlite", new Dictionary<string, string?> { ["Audit:Enabled"] = "true", ["Storage:DataDirectory"] = _dataDirectory });

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
