namespace Referral.Workflow.Worklists;

/// <summary>What a worklist client is sent: a hint to refresh, never patient data (the client re-reads through the scoped FHIR API).</summary>
public interface IWorklistClient
{
    /// <summary>A referral Task changed here: by a local write, or by a package or status message the partner delivered.</summary>
    Task ReferralChanged(ReferralChange change);

    /// <summary>A coordinator's patient-match Task was created (a package is held) or resolved.</summary>
    Task PatientMatchChanged(PatientMatchChange change);

    /// <summary>A coordinator's to-do to book a follow-up (planned from a downward referral's CarePlan) was created or changed.</summary>
    Task FollowUpChanged(FollowUpChange change);
}

/// <summary>A new version of a referral Task, as one party of it sees it.</summary>
/// <param name="TaskId">The Task's id at this node.</param>
/// <param name="ReferralId">The referral's business identifier, the same at both nodes.</param>
/// <param name="Status">The Task status code (requested, received, accepted …).</param>
/// <param name="BusinessStatus">The business status code (BSeR or alliance), if any.</param>
/// <param name="Version">The Task's version id after the change.</param>
/// <param name="Direction"><c>inbound</c> for the receiving organisation (Task.owner), <c>outbound</c> for the referring one (Task.requester).</param>
public sealed record ReferralChange(string TaskId, string ReferralId, string Status, string? BusinessStatus, int Version, string Direction);

/// <summary>A new version of a patient-match Task (the coordinators' matching queue).</summary>
public sealed record PatientMatchChange(string TaskId, string Status, int Version);

/// <summary>A new version of a follow-up to-do Task (code <c>fulfill</c>, focus the follow-up ServiceRequest).</summary>
/// <param name="TaskId">The to-do Task's id.</param>
/// <param name="Status">Its status code (requested until the coordinator books it).</param>
/// <param name="Due">When the follow-up is due (<c>Task.restriction.period.end</c>), if planned with a date.</param>
/// <param name="Version">The Task's version id after the change.</param>
public sealed record FollowUpChange(string TaskId, string Status, string? Due, int Version);
