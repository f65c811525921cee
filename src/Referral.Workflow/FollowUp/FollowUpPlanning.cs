using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Workflow.Referrals;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.FollowUp;

/// <summary>
/// Acts on the follow-up plan of a downward referral: when this hospital accepts a downward referral addressed to it,
/// every CarePlan the referral's ServiceRequest carries (supportingInfo) becomes work here, staged in the acceptance's
/// own transaction. Each activity with a scheduled time (<see cref="FollowUpSchedule"/>) gets a follow-up
/// ServiceRequest (basedOn the CarePlan, occurrence the schedule, code the activity's, performer this hospital,
/// requester the plan's author) and a coordinator's to-do Task to book it (code fulfill, owner this hospital, due by
/// the scheduled date in restriction.period.end). Both carry the identifier <c>CarePlan/[id]/activity/[index]</c> and are
/// created only when nothing carries it yet, so accepting again or a plan filed again creates nothing twice.
/// </summary>
public sealed class FollowUpPlanning(ResourceStore store, IOptions<NodeOptions> node, TimeProvider clock)
{
    private static readonly HashSet<string> RequesterTypes = new(StringComparer.Ordinal) { "Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson", "Device" };

    /// <summary>Whether a Task is a follow-up to-do as this planning makes it: code fulfill, with the follow-up identifier.</summary>
    public static bool IsToDo(FhirTask task) =>
        task.Code?.Coding.Any(c => c.System == ReferralCodes.TaskCodeSystem && c.Code == ReferralCodes.Fulfill) == true
        && task.Identifier.Any(i => i.System == ReferralCodes.FollowUpIdentifierSystem);

    /// <summary>Stages the follow-ups when <paramref name="next"/> (the referral Task as the write stores it) accepts a downward referral here.</summary>
    public async System.Threading.Tasks.Task StageAsync(FhirTask next, CancellationToken ct)
    {
        var home = node.Value.Organization;
        if (next.Status != FhirTask.TaskStatus.Accepted || ReferralDirection.Of(next) != ReferralDirection.Down
            || ReferralTask.Owner(next) != home || ReferralTask.Requester(next) == home || ReferralTask.ReferralId(next) is not { } referralId
            || await ReferralLookup.TaskAsync(store.Db, store.Serializer, referralId, ct) is not { } stored
            || await StoredResources.CurrentAsync<ServiceRequest>(store.Db, store.Serializer, stored.Focus?.Reference, ct) is not { } referral)
        {
            return;
        }

        var plans = referral.SupportingInfo.Select(s => s.Reference).Where(r => StoredResources.Split(r) is ("CarePlan", _)).Distinct(StringComparer.Ordinal);
        foreach (var reference in plans)
        {
            if (await StoredResources.CurrentAsync<CarePlan>(store.Db, store.Serializer, reference, ct) is not { } plan)
            {
                continue;
            }

            for (var i = 0; i < plan.Activity.Count; i++)
            {
                if (plan.Activity[i].Detail is { } detail && FollowUpSchedule.Of(detail.Scheduled) is { } schedule)
                {
                    await StageFollowUpAsync(plan, detail, schedule, $"CarePlan/{plan.Id}/activity/{i}", stored, ct);
                }
            }
        }
    }

    private async System.Threading.Tasks.Task StageFollowUpAsync(
        CarePlan plan, CarePlan.DetailComponent detail, FollowUpSchedule schedule, string key, FhirTask referral, CancellationToken ct)
    {
        var home = node.Value.Organization;
        var now = new FhirDateTime(clock.GetUtcNow());
        var patient = plan.Subject?.Reference ?? referral.For?.Reference;
        var request = await FindAsync("ServiceRequest", key, ct);
        if (request is null)
        {
            var created = store.StageCreate(new ServiceRequest
            {
                Identifier = [new Identifier(ReferralCodes.FollowUpIdentifierSystem, key)],
                BasedOn = [new ResourceReference($"CarePlan/{plan.Id}")],
                Status = RequestStatus.Active,
                Intent = RequestIntent.Order,
                Code = (CodeableConcept?)detail.Code?.DeepCopy(),
                Subject = new ResourceReference(patient),
                Occurrence = schedule.Occurrence,
                AuthoredOnElement = now,
                Requester = Requester(plan, referral),
                Performer = [new ResourceReference(home)],
                PatientInstruction = detail.Description,
            });
            request = $"ServiceRequest/{created.ResourceId}";
        }

        if (await FindAsync("Task", key, ct) is null)
        {
            store.StageCreate(new FhirTask
            {
                Identifier = [new Identifier(ReferralCodes.FollowUpIdentifierSystem, key)],
                BasedOn = [new ResourceReference($"CarePlan/{plan.Id}")],
                Status = FhirTask.TaskStatus.Requested,
                Intent = FhirTask.TaskIntent.Order,
                Code = new CodeableConcept(ReferralCodes.TaskCodeSystem, ReferralCodes.Fulfill, "Fulfill the focal request"),
                Description = $"预约随访 Book the follow-up: {Describe(detail.Code)}",
                Focus = new ResourceReference(request),
                For = new ResourceReference(patient),
                AuthoredOnElement = now,
                Requester = new ResourceReference(home),
                Owner = new ResourceReference(home),
                Restriction = new FhirTask.RestrictionComponent { Period = new Period { EndElement = schedule.Due } },
            });
        }
    }

    /// <summary>The plan's author when a ServiceRequest can name it as requester (not a CareTeam), else the referring organisation.</summary>
    private static ResourceReference? Requester(CarePlan plan, FhirTask referral)
    {
        var author = plan.Author;
        var type = author?.Type ?? StoredResources.Split(author?.Reference)?.Type;
        var usable = author is not null && (type is null || RequesterTypes.Contains(type));
        return (ResourceReference?)(usable ? author : referral.Requester)?.DeepCopy();
    }

    private static string Describe(CodeableConcept? code) =>
        code?.Text ?? code?.Coding.FirstOrDefault(c => c.Display is not null)?.Display ?? code?.Coding.FirstOrDefault()?.Code ?? "随访 follow-up";

    /// <summary>The current resource carrying the follow-up identifier, as <c>Type/id</c>, or null.</summary>
    private async Task<string?> FindAsync(string type, string key, CancellationToken ct)
    {
        var db = store.Db;
        var id = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && !r.IsHistory && !r.IsDeleted
                && db.TokenIndices.Any(t => t.Sid == r.Sid && t.Param == "identifier" && t.System == ReferralCodes.FollowUpIdentifierSystem && t.Code == key))
            .Select(r => r.ResourceId).FirstOrDefaultAsync(ct);
        return id is null ? null : $"{type}/{id}";
    }
}
