namespace Referral.Persistence;

/// <summary>
/// A message to a partner node, written in the same transaction as the change it announces (transactional outbox)
/// and delivered by the dispatcher; messages of one stream (one referral) are delivered in order.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The partner organisation it goes to, as <c>Organization/id</c>.</summary>
    public required string Destination { get; set; }

    /// <summary>The referral it belongs to: a message waits until every earlier one of its stream was delivered.</summary>
    public required string StreamKey { get; set; }

    /// <summary>The transaction Bundle's <c>identifier</c> value: the receiver applies each one once.</summary>
    public required string BundleIdentifier { get; set; }

    /// <summary>The transaction Bundle, as FHIR JSON.</summary>
    public required string Payload { get; set; }

    public long CreatedTicks { get; set; }

    public long NextAttemptTicks { get; set; }

    public int Attempts { get; set; }

    public long? DeliveredTicks { get; set; }

    /// <summary>Why the last attempt failed (status and a short reason; never patient data).</summary>
    public string? LastError { get; set; }
}

/// <summary>A package a partner node delivered here, kept so a second delivery of the same Bundle.identifier changes nothing.</summary>
public class InboxMessage
{
    public long Id { get; set; }

    public required string BundleIdentifier { get; set; }

    /// <summary>The sending organisation, as <c>Organization/id</c>.</summary>
    public required string Source { get; set; }

    public long ReceivedTicks { get; set; }

    /// <summary><c>applied</c>, or <c>held</c> while a coordinator resolves the patient match.</summary>
    public required string State { get; set; }

    /// <summary>The transaction-response Bundle returned the first time, returned again to a repeated delivery.</summary>
    public string? ResponseJson { get; set; }
}
