using System.Text;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Serialization;
using Referral.Identity;
using Referral.Identity.Access;
using Referral.Persistence;
using Referral.Workflow.Outbox;
using Referral.Workflow.Referrals;
using Referral.Workflow.ServiceLevels;

namespace Referral.Workflow.Inbox;

/// <summary>
/// Receives what partner nodes send (transaction Bundles whose identifier is an alliance package id) and applies each
/// Bundle.identifier once: a referral package is filed with its patient matched to ours (or held for a coordinator
/// when the match is ambiguous), answered with a "received" status; a status message updates our copy of the Task.
/// The inbox record is written in the same transaction as what it applies.
/// </summary>
public sealed class PackageInbox(
    FhirDbContext db, ResourceStore store, WriteUnit unit, BundleProcessor processor, PatientMatcher matcher, FhirSerializer serializer,
    CallerContext callers, OutboxWakeUp wakeUp, IOptions<NodeOptions> node, IOptions<AllianceOptions> alliance, TimeProvider clock, InboundReferral inbound,
    LoopClosure closure, ReferralConsequences consequences, AnswerDeadline deadline) : IBundleHandler
{
    public async Task<IResult?> TryHandleAsync(Bundle bundle, HttpContext context, CancellationToken ct)
    {
        if (bundle.Identifier?.System != ReferralCodes.PackageIdentifierSystem)
        {
            return null;
        }

        var sender = callers.RequestCaller;
        if (sender is null || !sender.Roles.Contains(NodeRoles.PartnerNode) || alliance.Value.Find(sender.Organization) is null)
        {
            throw new ForbiddenException("Referral packages are accepted from alliance partner nodes only.");
        }

        var identifier = bundle.Identifier.Value
            ?? throw new InvalidResourceException("A package needs Bundle.identifier.value.", "Bundle.identifier.value");
        if (await db.Inbox.AsNoTracking().FirstOrDefaultAsync(m => m.BundleIdentifier == identifier, ct) is { } seen)
        {
            return Informational(StatusCodes.Status200OK, $"Package {identifier} was already {seen.State}; nothing changed.");
        }

        var referrals = bundle.Entry.Where(e => e.Resource is Hl7.Fhir.Model.Task t && ReferralTask.ReferralId(t) is not null).ToList();
        if (referrals.Count != 1)
        {
            throw new InvalidResourceException("A package carries exactly one Task with the alliance referral identifier.", "Bundle.entry");
        }

        var task = (Hl7.Fhir.Model.Task)referrals[0].Resource!;
        var referralId = ReferralTask.ReferralId(task)!;

        inbound.ReferralId = referralId;
        using var work = NodeWork.Begin(sender);
        return bundle.Entry.Any(e => e.Resource is ServiceRequest request && ReferralTask.ReferralId(request) == referralId)
            ? await FileReferralAsync(bundle, task, referralId, identifier, sender, context, ct)
            : await ApplyStatusAsync(bundle, referrals[0], referralId, identifier, sender, context, ct);
    }

    private async Task<IResult> FileReferralAsync(
        Bundle bundle, Hl7.Fhir.Model.Task task, string referralId, string identifier, FhirCaller sender, HttpContext context, CancellationToken ct)
    {
        var home = node.Value.Organization;
        if (ReferralTask.Owner(task) != home)
        {
            throw new BusinessRuleException($"The referral is addressed to {ReferralTask.Owner(task)}, not to this node ({home}).", "Task.owner");
        }

        if (ReferralTask.Requester(task) != sender.Organization)
        {
            throw new ForbiddenException($"{sender.Organization} may only send its own referrals.");
        }

        var patientEntry = bundle.Entry.SingleOrDefault(e => e.Resource is Patient);
        if (patientEntry is not null)
        {
            var match = await matcher.MatchAsync((Patient)patientEntry.Resource!, ct);
            if (match.Conflict is not null)
            {
                return await HoldAsync(bundle, identifier, sender, match, ct);
            }

            if (match.ExistingId is { } existing)
            {
                PackageFiling.FileUnder(bundle, patientEntry, existing);
            }
        }

        PackageFiling.MarkReceived(task);
        var now = clock.GetUtcNow();
        deadline.Stamp(task, bundle.Entry.Select(e => e.Resource).OfType<ServiceRequest>().First(r => ReferralTask.ReferralId(r) == referralId), now);
        var response = await processor.ProcessAsync(bundle, context, ct, alongside: _ =>
        {
            db.Inbox.Add(Record(identifier, sender, "applied", now));
            var ackIdentifier = $"{home["Organization/".Length..]}.{identifier}.received";
            var ack = StatusMessage.Build(task, referralId, home, ackIdentifier, now);
            db.Outbox.Add(ReferralOutboxRule.New(sender.Organization!, referralId, ackIdentifier, serializer.SerializeForStorage(ack), now));
            wakeUp.MessageStaged();
            return System.Threading.Tasks.Task.CompletedTask;
        });
        return new FhirResult(StatusCodes.Status200OK, response);
    }

    /// <summary>
    /// Applies a status message in one transaction with its inbox record: the records it carries are filed (the
    /// sender's as conditional updates on where they were made, our own coming back as updates in place), and the
    /// state fields are copied onto our Task, unless nothing of it changed. The sender's stand-ins for the referral's
    /// patient, request and Task, and logical references to records either side holds, become references to ours. What
    /// the step makes this node do (<see cref="LoopClosure"/>, <see cref="ReferralConsequences"/>) is staged with it.
    /// </summary>
    private async Task<IResult> ApplyStatusAsync(
        Bundle bundle, Bundle.EntryComponent taskEntry, string referralId, string identifier, FhirCaller sender, HttpContext context, CancellationToken ct)
    {
        var message = (Hl7.Fhir.Model.Task)taskEntry.Resource!;
        var local = await LocalTaskAsync(referralId, ct)
            ?? throw new ResourceNotFoundException($"No referral {referralId} is known here.");
        if (sender.Organization != ReferralTask.Owner(local) && sender.Organization != ReferralTask.Requester(local))
        {
            throw new ForbiddenException($"{sender.Organization} is not a party to referral {referralId}.");
        }

        var ours = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (theirs, mine) in new[] { (taskEntry.FullUrl, $"Task/{local.Id}"), (message.For?.Reference, local.For?.Reference), (message.Focus?.Reference, local.Focus?.Reference) })
        {
            if (theirs is not null && mine is not null)
            {
                ours.TryAdd(theirs, mine);
            }
        }

        var entries = new List<Bundle.EntryComponent>();
        foreach (var entry in bundle.Entry.Where(e => e != taskEntry && e.Resource is not null))
        {
            await ResolveAsync(entry.Resource!, ours, ct);
            var filed = await OwnRecordInPlaceAsync(entry, local, referralId, sender, ct);
            entries.Add(filed);
            if (filed.FullUrl is not null && await HeldHereAsync(filed, ct) is { } held)
            {
                ours.TryAdd(filed.FullUrl, held);
            }
        }

        var updated = (Hl7.Fhir.Model.Task)local.DeepCopy();
        StatusMessage.ApplyTo(message, updated);
        if (sender.Organization != ReferralTask.Owner(local))
        {
            // The answer deadline is the receiver's to set: the placer's messages never move it.
            updated.Restriction = local.Restriction;
        }

        await ResolveAsync(updated, ours, ct);
        if (!updated.IsExactly(local))
        {
            entries.Add(new Bundle.EntryComponent
            {
                FullUrl = taskEntry.FullUrl,
                Resource = updated,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Task/{local.Id}" },
            });
        }

        var now = clock.GetUtcNow();
        await processor.ProcessAsync(new Bundle { Type = Bundle.BundleType.Transaction, Entry = entries }, context, ct, alongside: async token =>
        {
            db.Inbox.Add(Record(identifier, sender, "applied", now));
            await closure.StageAsync(updated, token);
            await consequences.StageAsync(updated, ReferralConsequences.WrittenById(entries), token);
        });
        return Informational(StatusCodes.Status200OK, $"Referral {referralId} is now {TaskTransitions.Code(message.Status ?? Hl7.Fhir.Model.Task.TaskStatus.Requested)} here.");
    }

    /// <summary>
    /// A carried record that was made here is updated in place, and only when it belongs to this referral (named by its
    /// Task's inputs or outputs, or a Task about it); one made elsewhere may come only from the sender.
    /// </summary>
    private async Task<Bundle.EntryComponent> OwnRecordInPlaceAsync(
        Bundle.EntryComponent entry, Hl7.Fhir.Model.Task local, string referralId, FhirCaller sender, CancellationToken ct)
    {
        var record = entry.Resource!;
        var origin = SourceRecords.Of(record)
            ?? throw new InvalidResourceException($"A record sent with referral {referralId} names where it was made ({ReferralCodes.SourceRecordSystem}).", "Bundle.entry.resource.identifier");
        var home = node.Value.Organization + "/";
        if (!origin.StartsWith(home, StringComparison.Ordinal))
        {
            return origin.StartsWith(sender.Organization + "/", StringComparison.Ordinal)
                ? entry
                : throw new ForbiddenException($"{sender.Organization} may send its own records and ours, not {origin}.");
        }

        var mine = origin[home.Length..];
        var named = local.Input.Select(i => i.Value).Concat(local.Output.Select(o => o.Value)).OfType<ResourceReference>().Any(r => r.Reference == mine);
        if (StoredResources.Split(mine) is not (string type, string id) || type != record.TypeName
            || !(named || (await StoredResources.CurrentAsync<Hl7.Fhir.Model.Task>(db, serializer, mine, ct) is { } about && ReferralTask.IsAbout(about, local))))
        {
            throw new ForbiddenException($"{mine} is not part of referral {referralId}.");
        }

        record.Id = id;
        SourceRecords.Forget(record, origin);
        return new Bundle.EntryComponent
        {
            FullUrl = entry.FullUrl,
            Resource = record,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = mine },
        };
    }

    /// <summary>
    /// The record of ours a carried record updates (our own in place, or our copy of the sender's), so the Task names it
    /// as it already does and a Task whose state did not change is not written again.
    /// </summary>
    private async Task<string?> HeldHereAsync(Bundle.EntryComponent filed, CancellationToken ct)
    {
        if (filed.Request?.Url is { } url && StoredResources.Split(url) is not null)
        {
            return url;
        }

        return SourceRecords.Of(filed.Resource!) is { } origin
            ? await StoredResources.FindByIdentifierAsync(db, filed.Resource!.TypeName, ReferralCodes.SourceRecordSystem, origin, ct)
            : null;
    }

    /// <summary>Points the sender's stand-ins and logical source-record references at our resources, where we have them.</summary>
    private async System.Threading.Tasks.Task ResolveAsync(Resource resource, Dictionary<string, string> ours, CancellationToken ct)
    {
        var home = node.Value.Organization + "/";
        foreach (var reference in ReferenceRewriter.References(resource).ToList())
        {
            if (reference.Reference is { } target)
            {
                if (ours.TryGetValue(target, out var mine))
                {
                    reference.Reference = mine;
                }

                continue;
            }

            if (reference.Identifier is not { System: ReferralCodes.SourceRecordSystem, Value: { } origin })
            {
                continue;
            }

            var local = origin.StartsWith(home, StringComparison.Ordinal) ? origin[home.Length..]
                : origin.Split('/') is [_, _, var type, _] ? await StoredResources.FindByIdentifierAsync(db, type, ReferralCodes.SourceRecordSystem, origin, ct)
                : null;
            if (local is not null)
            {
                reference.Reference = local;
                reference.Identifier = null;
            }
        }
    }

    /// <summary>An ambiguous or conflicting patient: nothing is filed; a coordinator's matching Task holds the package.</summary>
    private async Task<IResult> HoldAsync(Bundle bundle, string identifier, FhirCaller sender, PatientMatch match, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var review = new Hl7.Fhir.Model.Task
        {
            Status = Hl7.Fhir.Model.Task.TaskStatus.Requested,
            Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
            Priority = RequestPriority.Urgent,
            Code = new CodeableConcept(ReferralCodes.AllianceBusinessStatus, PatientMatchTask.Code, "Patient match review"),
            Description = $"A referral package from {sender.Organization} could not be filed: {match.Conflict}. Choose the patient or file a new one.",
            Requester = new ResourceReference(sender.Organization),
            Owner = new ResourceReference(node.Value.Organization),
            AuthoredOn = now.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            Input =
            [
                new Hl7.Fhir.Model.Task.ParameterComponent
                {
                    Type = new CodeableConcept { Text = PatientMatchTask.PackageInput },
                    Value = new Attachment { ContentType = "application/fhir+json", Data = Encoding.UTF8.GetBytes(serializer.SerializeForStorage(bundle)) },
                },
                .. match.Candidates.Select(c => new Hl7.Fhir.Model.Task.ParameterComponent
                {
                    Type = new CodeableConcept { Text = PatientMatchTask.CandidateInput },
                    Value = new ResourceReference($"Patient/{c}"),
                }),
            ],
        };
        await unit.RunAsync(_ =>
        {
            db.Inbox.Add(Record(identifier, sender, "held", now));
            return System.Threading.Tasks.Task.FromResult(store.StageCreate(review));
        }, ct);
        return Informational(StatusCodes.Status202Accepted, $"Package {identifier} is held for a coordinator: {match.Conflict}.");
    }

    private async Task<Hl7.Fhir.Model.Task?> LocalTaskAsync(string referralId, CancellationToken ct)
    {
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == "Task" && !r.IsHistory && !r.IsDeleted
                && db.TokenIndices.Any(t => t.Sid == r.Sid && t.Param == "identifier" && t.System == ReferralCodes.ReferralIdentifierSystem && t.Code == referralId))
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as Hl7.Fhir.Model.Task;
    }

    private static InboxMessage Record(string identifier, FhirCaller sender, string state, DateTimeOffset now) => new()
    {
        BundleIdentifier = identifier,
        Source = sender.Organization!,
        ReceivedTicks = now.UtcTicks,
        State = state,
    };

    private static FhirResult Informational(int status, string message) => FhirResult.Outcome(status, new OperationOutcome
    {
        Issue = [new OperationOutcome.IssueComponent
        {
            Severity = OperationOutcome.IssueSeverity.Information,
            Code = OperationOutcome.IssueType.Informational,
            Diagnostics = message,
        }],
    });
}
