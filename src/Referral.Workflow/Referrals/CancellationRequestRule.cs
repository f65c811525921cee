using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.Workflow.Referrals;

/// <summary>
/// A cancellation request for a referral the placer may no longer cancel itself (FHIR workflow: a Task with code
/// <c>abort</c> whose focus is the referral Task). The referring organisation makes it while the referral is open; only
/// the receiving organisation answers it: completing it goes with cancelling the referral in the same transaction,
/// rejecting it needs a reason. Refusals are 409 (422 for a missing reason).
/// </summary>
public sealed class CancellationRequestRule(FhirSerializer serializer, CallerContext callers) : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task request || !IsCancellationRequest(request)
                || await StoredResources.CurrentAsync<Hl7.Fhir.Model.Task>(db, serializer, request.Focus?.Reference, ct) is not { } referral
                || ReferralTask.ReferralId(referral) is not { } referralId)
            {
                continue;
            }

            var caller = callers.Caller?.Organization;
            var previous = await StoredResources.PreviousAsync<Hl7.Fhir.Model.Task>(db, serializer, entity, ct);
            if (previous is null)
            {
                if (caller is not null && caller != ReferralTask.Requester(referral))
                {
                    throw new ConflictException($"Only the referring organisation ({ReferralTask.Requester(referral)}) asks to cancel referral {referralId}.", "Task.requester");
                }

                if (ReferralTask.IsClosed(referral.Status))
                {
                    throw new ConflictException($"Referral {referralId} is {TaskTransitions.Code(referral.Status!.Value)}; there is nothing to cancel.", "Task.focus");
                }

                continue;
            }

            if (request.Status == previous.Status)
            {
                continue;
            }

            if (request.Status is TaskStatus.Accepted or TaskStatus.Rejected or TaskStatus.InProgress or TaskStatus.Completed
                && caller is not null && caller != ReferralTask.Owner(referral))
            {
                throw new ConflictException($"Only the receiving organisation ({ReferralTask.Owner(referral)}) answers the request to cancel referral {referralId}.", "Task.status");
            }

            if (request.Status == TaskStatus.Rejected && request.StatusReason is null)
            {
                throw new BusinessRuleException("Refusing a cancellation request needs the reason in statusReason.", "Task.statusReason");
            }

            if (request.Status == TaskStatus.Completed && referral.Status != TaskStatus.Cancelled)
            {
                throw new ConflictException(
                    $"Completing the cancellation request cancels referral {referralId} in the same transaction; it is {TaskTransitions.Code(referral.Status ?? TaskStatus.Requested)}.",
                    "Task.status");
            }
        }
    }

    /// <summary>A Task with code abort focused on another Task.</summary>
    public static bool IsCancellationRequest(Hl7.Fhir.Model.Task task) =>
        task.Code?.Coding.Any(c => c.System == ReferralCodes.TaskCodeSystem && c.Code == ReferralCodes.Abort) == true
        && task.Focus?.Reference?.StartsWith("Task/", StringComparison.Ordinal) == true;
}
