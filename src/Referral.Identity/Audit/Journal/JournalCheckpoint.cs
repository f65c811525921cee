namespace Referral.Identity.Audit;

/// <summary>
/// How far one audit journal segment's records are in the trail: committed with the records themselves, so after a crash
/// the journal is replayed from exactly where the trail ends, each record stored once.
/// </summary>
public sealed class JournalCheckpoint
{
    /// <summary>The segment's file name.</summary>
    public required string Segment { get; set; }

    /// <summary>The offset just past the last frame stored in the trail.</summary>
    public long IndexedOffset { get; set; }
}
