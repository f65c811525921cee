namespace Referral.Workflow.Worklists;

/// <summary>What a worklist client is sent: a hint to refresh, never patient data (the client re-reads through the scoped FHIR API).</summary>
public interface IWorklistClient
{
    /// <summary>A referral Task changed here: by a local write, or by a package or status message the partner delivered.</summary>
    Task ReferralChanged(ReferralChange change);

    /// <summary>A coordinator's patient-match Task was created (a package is held) or resolved.</summary>
    Task PatientMatchChanged(PatientMatchChange change);
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
