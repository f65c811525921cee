using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Identity;
using Referral.Identity.Access;
using Referral.Persistence;
using Referral.Workflow.Referrals;

namespace Referral.Workflow.Outbox;

/// <summary>
/// The transactional outbox: when a referral Task changes here, the message for the other side (the package when
/// the placer creates the referral, a status message after that, also when only a Task about the referral changed) is
/// staged in the same database transaction, so the change and its announcement commit together or not at all. Changes
/// that came from that side itself are not echoed; a consequence this node draws from them for another referral
/// (closing the upward one), or for the same one (the booking a cancellation releases), is announced like its own.
/// </summary>
public sealed class ReferralOutboxRule(
    FhirSerializer serializer, PackageBuilder packages, OutboxWakeUp wakeUp, IOptions<NodeOptions> node, IOptions<AllianceOptions> alliance, TimeProvider clock,
    InboundReferral inbound)
    : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var home = node.Value.Organization;
        foreach (var (trigger, task, referralId) in await ReferralsChangedAsync(db, written, ct))
        {
            var (requester, owner) = (ReferralTask.Requester(task), ReferralTask.Owner(task));
            var placer = requester == home && owner != home;
            var destination = placer ? owner : owner == home && requester != home ? requester : null;
            if (destination is null || (NodeWork.Current?.Organization == destination && inbound.IsPartnersChange(referralId) && !DrewConsequences(written)))
            {
                continue;
            }

            if (alliance.Value.Find(destination) is null)
            {
                throw new BusinessRuleException($"{destination} is not an alliance partner of this node (Alliance:Partners).", placer ? "Task.owner" : "Task.requester");
            }

            var now = clock.GetUtcNow();
            var identifier = $"{home["Organization/".Length..]}.{trigger.ResourceId}.v{trigger.VersionId}";
            var message = placer && trigger.ResourceId == task.Id && trigger.VersionId == 1
                ? await packages.BuildAsync(task, referralId, home, destination, identifier, now, ct)
                : await packages.BuildStatusAsync(task, referralId, home, identifier, now, written, ct);
            db.Outbox.Add(New(destination, referralId, identifier, serializer.SerializeForStorage(message), now));
            wakeUp.MessageStaged();
        }
    }

    /// <summary>Whether this write holds records this node changed itself for the partner's step (a released booking).</summary>
    private bool DrewConsequences(IReadOnlyList<ResourceEntity> written) =>
        inbound.DrawnHere.Count > 0 && written.Any(e => inbound.DrawnHere.Contains($"{e.ResourceType}/{e.ResourceId}"));

    /// <summary>
    /// The referrals this write changed, each once with the version that names its message: a referral Task written
    /// here, or the current referral Task of a Task about it (<see cref="ReferralTask.IsAbout"/>) written without it.
    /// </summary>
    private async Task<List<(ResourceEntity Trigger, Hl7.Fhir.Model.Task Task, string ReferralId)>> ReferralsChangedAsync(
        FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var tasks = written.Where(e => e.ResourceType == "Task" && !e.IsDeleted)
            .Select(e => (Entity: e, Task: serializer.ParseStored(e.Json) as Hl7.Fhir.Model.Task)).Where(t => t.Task is not null).ToList();
        var changed = new List<(ResourceEntity Trigger, Hl7.Fhir.Model.Task Task, string ReferralId)>();
        foreach (var (entity, task) in tasks)
        {
            if (ReferralTask.ReferralId(task!) is { } referralId)
            {
                changed.Add((entity, task!, referralId));
            }
        }

        foreach (var (entity, task) in tasks.Where(t => ReferralTask.ReferralId(t.Task!) is null))
        {
            var focus = task!.Focus?.Reference;
            if (focus?.StartsWith("Task/", StringComparison.Ordinal) != true || changed.Any(c => $"Task/{c.Task.Id}" == focus))
            {
                continue;
            }

            if (await StoredResources.CurrentAsync<Hl7.Fhir.Model.Task>(db, serializer, focus, ct) is { } referral && ReferralTask.ReferralId(referral) is { } referralId
                && ReferralTask.IsAbout(task, referral))
            {
                changed.Add((entity, referral, referralId));
            }
        }

        return changed;
    }

    public static OutboxMessage New(string destination, string referralId, string identifier, string payload, DateTimeOffset now) => new()
    {
        Destination = destination,
        StreamKey = referralId,
        BundleIdentifier = identifier,
        Payload = payload,
        CreatedTicks = now.UtcTicks,
        NextAttemptTicks = now.UtcTicks,
    };
}
