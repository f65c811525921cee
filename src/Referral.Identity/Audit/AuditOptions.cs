using System.ComponentModel.DataAnnotations;

namespace Referral.Identity.Audit;

/// <summary>Audit of FHIR access (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Record an AuditEvent for every FHIR interaction (default). Off only where another system audits the node.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most AuditEvents committed in one database transaction; concurrent requests share a commit.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 256;
}
