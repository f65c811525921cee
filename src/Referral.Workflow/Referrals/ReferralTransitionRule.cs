using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.Workflow.Referrals;

/// <summary>
/// Every version of a referral Task (one carrying the alliance referral identifier) must follow
/// <see cref="TaskTransitions"/> from the version before it, made by the side that may; rejections and cancellations
/// need a reason, and so does putting one on hold; the placer resumes a held referral only to the status it was held from.
/// Refusals are 409 with the transition named (422 for a missing reason), and nothing of the write is kept.
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

            if (TaskTransitions.NeedsReason(to) && task.StatusReason is null)
            {
                throw new BusinessRuleException($"A referral that is {TaskTransitions.Code(to)} needs the reason in statusReason.", "Task.statusReason");
            }

            var previous = await StoredResources.PreviousAsync<Hl7.Fhir.Model.Task>(db, serializer, entity, ct);
            if (previous?.Status is not { } from)
            {
                if (!TaskTransitions.CanStart(to))
                {
                    throw new ConflictException($"A referral starts as requested, not {TaskTransitions.Code(to)}.", "Task.status");
                }

                continue;
            }

            var side = SideOf(previous);
            if (TaskTransitions.Refusal(from, to, side) is { } refusal)
            {
                throw new ConflictException(refusal, "Task.status");
            }

            // Answering the question resumes the referral where it was; only the receiver decides anything further.
            if (from == TaskStatus.OnHold && to is TaskStatus.Received or TaskStatus.Accepted or TaskStatus.InProgress && side == ReferralSide.Placer
                && await HeldFromAsync(db, entity, ct) is { } heldFrom && heldFrom != to)
            {
                throw new ConflictException(
                    $"The referral was put on hold while {TaskTransitions.Code(heldFrom)}; the referring organisation can resume it only to {TaskTransitions.Code(heldFrom)}, not {TaskTransitions.Code(to)}.",
                    "Task.status");
            }
        }
    }

    /// <summary>The status the Task had before its current run of on-hold versions.</summary>
    private async Task<TaskStatus?> HeldFromAsync(FhirDbContext db, ResourceEntity entity, CancellationToken ct)
    {
        var (type, id, version) = (entity.ResourceType, entity.ResourceId, entity.VersionId);
        var earlier = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && r.VersionId < version && !r.IsDeleted)
            .OrderByDescending(r => r.VersionId).Select(r => r.Json).ToListAsync(ct);
        return earlier.Select(json => (serializer.ParseStored(json) as Hl7.Fhir.Model.Task)?.Status).FirstOrDefault(s => s is not TaskStatus.OnHold);
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
}
