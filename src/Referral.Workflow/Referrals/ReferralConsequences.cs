using Referral.Workflow.FollowUp;
using Referral.Workflow.Scheduling;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.Referrals;

/// <summary>
/// What a step of a referral makes this node do in the step's own transaction: a cancellation frees the booking made
/// for the referral (<see cref="BookingRelease"/>); accepting a downward referral puts its follow-up plan on the
/// coordinator's worklist (<see cref="FollowUpPlanning"/>). Staged by every way a step arrives: a PUT of the Task
/// (<see cref="ReferralStepUpdate"/>), a transaction (<see cref="ReferralStepTransaction"/>), the partner's message
/// (the inbox).
/// </summary>
public sealed class ReferralConsequences(BookingRelease bookings, FollowUpPlanning followUps)
{
    /// <summary>Whether writing this Task may have consequences here (cheap: the body alone decides).</summary>
    public static bool MayFollow(FhirTask task) =>
        ReferralTask.ReferralId(task) is not null && task.Status is FhirTask.TaskStatus.Cancelled or FhirTask.TaskStatus.Accepted;

    /// <summary><c>Type/id</c> of the entries a transaction writes by id (PUT, PATCH or DELETE of a literal URL).</summary>
    public static HashSet<string> WrittenById(IEnumerable<Hl7.Fhir.Model.Bundle.EntryComponent> entries) =>
        entries.Where(e => e.Request?.Method is Hl7.Fhir.Model.Bundle.HTTPVerb.PUT or Hl7.Fhir.Model.Bundle.HTTPVerb.PATCH or Hl7.Fhir.Model.Bundle.HTTPVerb.DELETE)
            .Select(e => e.Request!.Url).Where(u => StoredResources.Split(u) is not null).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Stages what follows from <paramref name="next"/>, the referral Task as the write stores it. Called before the
    /// Task's own version is staged, while the stored one is still current and indexed (the consequences find it by the
    /// referral identifier); <paramref name="writtenAlongside"/> is <c>Type/id</c> of what the same write changes itself.
    /// </summary>
    public async System.Threading.Tasks.Task StageAsync(FhirTask next, IReadOnlySet<string> writtenAlongside, CancellationToken ct)
    {
        if (!MayFollow(next))
        {
            return;
        }

        await bookings.StageAsync(next, writtenAlongside, ct);
        await followUps.StageAsync(next, ct);
    }
}
