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
/// the placer creates the referral, a status message after that) is staged in the same database transaction, so the
/// change and its announcement commit together or not at all. Changes that came from that side itself are not echoed;
/// a consequence this node draws from them for another referral (closing the upward one) is announced like its own.
/// </summary>
public sealed class ReferralOutboxRule(
    FhirSerializer serializer, PackageBuilder packages, OutboxWakeUp wakeUp, IOptions<NodeOptions> node, IOptions<AllianceOptions> alliance, TimeProvider clock,
    InboundReferral inbound)
    : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var home = node.Value.Organization;
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task || ReferralTask.ReferralId(task) is not { } referralId)
            {
                continue;
            }

            var (requester, owner) = (ReferralTask.Requester(task), ReferralTask.Owner(task));
            var placer = requester == home && owner != home;
            var destination = placer ? owner : owner == home && requester != home ? requester : null;
            if (destination is null || (NodeWork.Current?.Organization == destination && inbound.IsPartnersChange(referralId)))
            {
                continue;
            }

            if (alliance.Value.Find(destination) is null)
            {
                throw new BusinessRuleException($"{destination} is not an alliance partner of this node (Alliance:Partners).", placer ? "Task.owner" : "Task.requester");
            }

            var now = clock.GetUtcNow();
            var identifier = $"{home["Organization/".Length..]}.{entity.ResourceId}.v{entity.VersionId}";
            var message = placer && entity.VersionId == 1
                ? await packages.BuildAsync(task, referralId, home, destination, identifier, now, ct)
                : StatusMessage.Build(task, referralId, home, identifier, now);
            db.Outbox.Add(New(destination, referralId, identifier, serializer.SerializeForStorage(message), now));
            wakeUp.MessageStaged();
        }
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
