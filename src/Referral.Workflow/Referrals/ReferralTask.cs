using Hl7.Fhir.Model;

namespace Referral.Workflow.Referrals;

/// <summary>Reads the parts of a referral Task the workflow acts on.</summary>
public static class ReferralTask
{
    /// <summary>The referral's business identifier value, or null when the Task is not an alliance referral.</summary>
    public static string? ReferralId(Hl7.Fhir.Model.Task task) =>
        task.Identifier.FirstOrDefault(i => i.System == ReferralCodes.ReferralIdentifierSystem)?.Value;

    public static string? ReferralId(ServiceRequest request) =>
        request.Identifier.FirstOrDefault(i => i.System == ReferralCodes.ReferralIdentifierSystem)?.Value;

    public static string? Requester(Hl7.Fhir.Model.Task task) => task.Requester?.Reference;

    public static string? Owner(Hl7.Fhir.Model.Task task) => task.Owner?.Reference;

    /// <summary>
    /// A Task between the referral's two organisations (either way) whose focus is the referral Task, e.g. a
    /// cancellation request: it travels with the referral. A Task one hospital keeps for itself does not.
    /// </summary>
    public static bool IsAbout(Hl7.Fhir.Model.Task about, Hl7.Fhir.Model.Task referral) =>
        // A resolved patient-match Task focuses the referral too, but it is the receiver's own queue: it never travels.
        ReferralId(about) is null && !Inbox.PatientMatchTask.Is(about) && about.Focus?.Reference == $"Task/{referral.Id}"
        && ((Requester(about) == Requester(referral) && Owner(about) == Owner(referral)) || (Requester(about) == Owner(referral) && Owner(about) == Requester(referral)));

    public static bool IsClosed(Hl7.Fhir.Model.Task.TaskStatus? status) => status is
        Hl7.Fhir.Model.Task.TaskStatus.Completed or Hl7.Fhir.Model.Task.TaskStatus.Cancelled or
        Hl7.Fhir.Model.Task.TaskStatus.Rejected or Hl7.Fhir.Model.Task.TaskStatus.Failed or Hl7.Fhir.Model.Task.TaskStatus.EnteredInError;
}
