using System.ComponentModel.DataAnnotations;

namespace Referral.Identity.Audit;

/// <summary>Audit of FHIR access (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Record every FHIR interaction in the audit trail (default). Off only where another system audits the node.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most audit records committed in one transaction; concurrent requests share a commit.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 256;
}
