using Referral.Identity.Access;

namespace Referral.Workflow.Referrals;

/// <summary>
/// The referral a partner's message is about, while the inbox applies it (one per request). A Task of that referral
/// written then is the partner's own change: not echoed back, checked as the partner's side. A Task of another referral
/// written in the same transaction is a consequence this node draws (closing the upward referral when the downward
/// one is accepted): the node's own step, announced to the partner like any other.
/// </summary>
public sealed class InboundReferral
{
    public string? ReferralId { get; set; }

    /// <summary>
    /// <c>Type/id</c> of records of ours this node changed itself as a consequence of a step of the referral (the
    /// booking a cancellation releases): even when the step was the partner's, the partner hears of them.
    /// </summary>
    public HashSet<string> DrawnHere { get; } = new(StringComparer.Ordinal);

    public bool IsPartnersChange(string? referralId) =>
        NodeWork.Current is not null && (ReferralId is null || ReferralId == referralId);
}
