namespace Referral.Identity.Audit;

/// <summary>
/// One audited FHIR interaction as the audit trail stores it: a single row, read back as an R4 AuditEvent
/// (<see cref="AuditEventRendering"/>). Storing the few facts an audit holds, instead of an AuditEvent resource with its
/// JSON and some seventeen search index rows, is what lets every request be audited durably before its response.
/// </summary>
public sealed class AuditRecord
{
    /// <summary>Also the AuditEvent's id: the trail is append-only, so the order of ids is the order of recording.</summary>
    public long Id { get; set; }

    /// <summary>When the interaction was answered, as UTC ticks.</summary>
    public long RecordedTicks { get; set; }

    /// <summary>The restful-interaction code: read, vread, search-type, create, update, transaction …</summary>
    public required string Subtype { get; set; }

    /// <summary>The audit-event-action code: C, R, U, D or E.</summary>
    public required string Action { get; set; }

    /// <summary>The HTTP status answered; the AuditEvent's outcome follows from it.</summary>
    public int Status { get; set; }

    /// <summary>The person (their <c>fhirUser</c>, e.g. <c>Practitioner/123</c>) who asked, when the token names one.</summary>
    public string? AgentReference { get; set; }

    /// <summary>The OAuth client (or subject) of a caller without a <c>fhirUser</c>, such as a partner node or a script.</summary>
    public string? AgentClient { get; set; }

    /// <summary>How the caller is shown: their name, or the client's.</summary>
    public string? AgentDisplay { get; set; }

    /// <summary>The token's subject.</summary>
    public string? AltId { get; set; }

    /// <summary>The authenticated caller's name.</summary>
    public string? AgentName { get; set; }

    /// <summary>The caller's roles, space separated.</summary>
    public string? Roles { get; set; }

    /// <summary>The caller's network address.</summary>
    public string? Address { get; set; }

    /// <summary>The organisation the caller acted for, e.g. <c>Organization/municipal</c>.</summary>
    public string? Organization { get; set; }

    /// <summary>The type of the resource acted on, when there is one (not for a search).</summary>
    public string? EntityType { get; set; }

    public string? EntityId { get; set; }

    public string? EntityVersion { get; set; }

    /// <summary>For a search or history: the type searched, or "all resource types"; null when no query was made.</summary>
    public string? QueryType { get; set; }

    /// <summary>The query string of a search or history, as sent.</summary>
    public string? Query { get; set; }

    /// <summary>
    /// The node's identifier of the HTTP request: the same on a Bundle's record and on the records of its entries, so an
    /// auditor can tell which interactions travelled together.
    /// </summary>
    public string? RequestId { get; set; }

    public DateTimeOffset Recorded => new(RecordedTicks, TimeSpan.Zero);
}
