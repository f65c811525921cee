using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;
using Referral.Workflow.Referrals;

namespace Referral.Workflow.ServiceLevels;

/// <summary>
/// A referral's answer deadline (<c>Task.restriction.period</c>) is set by the node only: by the receiver when it files
/// the package (<see cref="AnswerDeadline"/>), at the placer when the "received" status brings it. A caller's update
/// that changes or drops it is refused (422 naming <c>Task.restriction.period</c>), so both nodes keep one deadline.
/// </summary>
public sealed class AnswerDeadlineRule(FhirSerializer serializer, CallerContext callers) : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        if (callers.Caller is null || NodeWork.Current is not null)
        {
            return;
        }

        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted && e.VersionId > 1))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task || ReferralTask.ReferralId(task) is null)
            {
                continue;
            }

            var previous = await StoredResources.PreviousAsync<Hl7.Fhir.Model.Task>(db, serializer, entity, ct);
            var (before, after) = (previous?.Restriction?.Period, task.Restriction?.Period);
            if (before is not null && (after is null || !after.IsExactly(before)))
            {
                throw new BusinessRuleException(
                    $"Task.restriction.period is the referral's answer deadline ({before.Start} to {before.End}), set by the receiving node from its service levels (Alliance:ServiceLevels); an update must keep it as it is.",
                    "Task.restriction.period");
            }
        }
    }
}
