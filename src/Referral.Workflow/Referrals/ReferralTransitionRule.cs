using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;

namespace Referral.Workflow.Referrals;

/// <summary>
/// Every version of a referral Task (one carrying the alliance referral identifier) must follow
/// <see cref="TaskTransitions"/> from the version before it, made by the side that may; rejections and cancellations
/// need a reason. Refusals are 409 with the transition named, and nothing of the write is kept.
/// </summary>
public sealed class ReferralTransitionRule(FhirSerializer serializer, CallerContext callers, InboundReferral inbound) : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task || ReferralTask.ReferralId(task) is null || task.Status is not { } to)
            {
                continue;
            }

            if (to is Hl7.Fhir.Model.Task.TaskStatus.Rejected or Hl7.Fhir.Model.Task.TaskStatus.Cancelled && task.StatusReason is null)
            {
                throw new BusinessRuleException($"A referral that is {TaskTransitions.Code(to)} needs the reason in statusReason.", "Task.statusReason");
            }

            var previous = await PreviousAsync(db, entity, ct);
            if (previous?.Status is not { } from)
            {
                if (!TaskTransitions.CanStart(to))
                {
                    throw new ConflictException($"A referral starts as requested, not {TaskTransitions.Code(to)}.", "Task.status");
                }

                continue;
            }

            if (TaskTransitions.Refusal(from, to, SideOf(previous)) is { } refusal)
            {
                throw new ConflictException(refusal, "Task.status");
            }
        }
    }

    /// <summary>
    /// The caller's side of the referral; null for the node's own work, which may do any step: background jobs, and a
    /// consequence the inbox draws for another referral than the partner's message is about (<see cref="InboundReferral"/>).
    /// </summary>
    private ReferralSide? SideOf(Hl7.Fhir.Model.Task task)
    {
        if (callers.Caller is not { } caller || (NodeWork.Current is not null && !inbound.IsPartnersChange(ReferralTask.ReferralId(task))))
        {
            return null;
        }

        if (caller.Organization == ReferralTask.Owner(task))
        {
            return ReferralSide.Receiver;
        }

        if (caller.Organization == ReferralTask.Requester(task))
        {
            return ReferralSide.Placer;
        }

        throw new ForbiddenException("Only the referring or the receiving organisation may change a referral.");
    }

    private async Task<Hl7.Fhir.Model.Task?> PreviousAsync(FhirDbContext db, ResourceEntity entity, CancellationToken ct)
    {
        if (entity.VersionId <= 1)
        {
            return null;
        }

        var (type, id, version) = (entity.ResourceType, entity.ResourceId, entity.VersionId - 1);
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && r.VersionId == version && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as Hl7.Fhir.Model.Task;
    }
}
