using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity;
using Referral.Persistence;

namespace Referral.Workflow.Referrals;

/// <summary>
/// A downward referral placed here that answers an upward one (Task.basedOn the upward referral's identifier) must
/// answer one this hospital received and is treating (in-progress): refused with 409 naming Task.basedOn otherwise,
/// so a loop can only close on a referral that was open.
/// </summary>
public sealed class DownwardReferralRule(FhirSerializer serializer, IOptions<NodeOptions> node) : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted && e.VersionId == 1))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task || ReferralTask.ReferralId(task) is null
                || ReferralDirection.Of(task) != ReferralDirection.Down || ReferralTask.Requester(task) != node.Value.Organization
                || LoopClosure.UpwardReferralId(task) is not { } upId)
            {
                continue;
            }

            var up = await ReferralLookup.TaskAsync(db, serializer, upId, ct);
            if (up is null || ReferralTask.Owner(up) != node.Value.Organization)
            {
                throw new ConflictException($"The downward referral answers referral {upId}, which this hospital has not received.", "Task.basedOn");
            }

            if (up.Status != Hl7.Fhir.Model.Task.TaskStatus.InProgress)
            {
                throw new ConflictException(
                    $"The downward referral answers referral {upId}, which is {TaskTransitions.Code(up.Status ?? Hl7.Fhir.Model.Task.TaskStatus.Requested)}, not in-progress.",
                    "Task.basedOn");
            }
        }
    }
}
