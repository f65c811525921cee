using System.ComponentModel.DataAnnotations;

namespace Referral.Identity.Audit;

/// <summary>Audit of FHIR access (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Record every FHIR interaction in the audit trail (default). Off only where another system audits the node.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most requests whose audit records share one commit (or one journal flush); concurrent requests share it.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 256;

    /// <summary>
    /// Make each record durable in the audit journal (files under <see cref="JournalDirectory"/>) before its response,
    /// and move it into the searchable trail shortly after, instead of committing it to the trail before the response.
    /// Default: on with SQLite; off with PostgreSQL, where the trail is in the shared database and a node's own disk
    /// may not outlive the node.
    /// </summary>
    public bool? Journal { get; set; }

    /// <summary>The journal's folder; default <c>audit-journal</c> in the storage data directory.</summary>
    public string? JournalDirectory { get; set; }

    /// <summary>
    /// How many flushes the journal keeps in flight, each lane with a file of its own. One: with 10 connections a
    /// second lane split the waiting records into two flushes, and each flush costs the kernel 45–70 µs of CPU on this
    /// VM's disk (secured read 86 against 92 µs of node CPU, five of seven alternating pairs in favour of one lane).
    /// </summary>
    [Range(1, 16)]
    public int JournalLanes { get; set; } = 1;

    /// <summary>The size of each journal file, zero-filled ahead of use; deleted once its records are in the trail.</summary>
    [Range(1, 1024)]
    public int JournalSegmentMiB { get; set; } = 16;

    /// <summary>
    /// How often journaled records are moved into the trail (a read of the trail moves them at once, so it never waits
    /// for this). Larger commits touch each trail index page once for many records: at 1 s instead of 50 ms a secured
    /// read cost the node about 10% less CPU.
    /// </summary>
    [Range(1, 60_000)]
    public int IndexIntervalMilliseconds { get; set; } = 1_000;
}
