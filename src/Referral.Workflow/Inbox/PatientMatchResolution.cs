using System.Text;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;
using Referral.Workflow.Referrals;
using Referral.Workflow.ServiceLevels;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.Workflow.Inbox;

/// <summary>
/// A coordinator resolves a held package by completing its patient-match Task (<c>PUT Task/[id]</c>, status
/// completed) with one output: <c>patient</c> (valueReference a local Patient) or <c>new-patient</c> (valueBoolean
/// true). In one transaction the package is filed against that patient exactly as a delivery with that match would
/// have been (conditional writes, the referral Task received, a "received" status message back to the placer), the
/// match Task is completed with <c>for</c> the patient and <c>focus</c> the referral Task, and the inbox record of the
/// package turns from held to applied. The package is taken from the Task's first version, which the node wrote itself.
/// </summary>
public sealed class PatientMatchResolution(
    FhirDbContext db, ResourceStore store, BundleProcessor processor, FhirSerializer serializer, CallerContext callers, MatchResolutionInProgress inProgress,
    TimeProvider clock, AnswerDeadline deadline) : IUpdateHandler
{
    public async Task<IResult?> TryHandleAsync(Resource resource, string id, HttpContext context, CancellationToken ct)
    {
        if (resource is not Hl7.Fhir.Model.Task requested || !PatientMatchTask.Is(requested) || requested.Status != TaskStatus.Completed)
        {
            return null;
        }

        store.Access.Demand(FhirInteraction.Update, "Task");
        if (callers.RequestCaller is { } caller && !caller.Roles.Any(PatientMatchTask.ResolverRoles.Contains))
        {
            throw new ForbiddenException("Only a coordinator (or an admin) may resolve a patient match.");
        }

        var currentEntity = await store.ReadAsync("Task", id, ct);
        var current = (Hl7.Fhir.Model.Task)store.ToResource(currentEntity);
        var held = await FirstVersionAsync(id, ct);
        if (!PatientMatchTask.Is(current) || held is null || !PatientMatchTask.Is(held))
        {
            throw new BusinessRuleException($"Task/{id} is not a patient-match Task of this node.", "Task.code");
        }

        var choice = Choice(requested);
        if (current.Status == TaskStatus.Completed)
        {
            // Resolving again the same way changes nothing; another choice is too late.
            if (Choice(current) == choice)
            {
                return CrudEndpoints.WriteResponse(context, StatusCodes.Status200OK, currentEntity, null);
            }

            throw new ConflictException($"Task/{id} was already resolved with another patient.", "Task.output");
        }

        if (FhirRequest.IfMatchVersion(context) is { } expected && expected != currentEntity.VersionId)
        {
            throw new PreconditionFailedException($"If-Match asked for version {expected} of Task/{id}, but the current version is {currentEntity.VersionId}.");
        }

        if (choice.PatientId is { } chosen)
        {
            try
            {
                await store.ReadAsync("Patient", chosen, ct);
            }
            catch (Exception e) when (e is ResourceNotFoundException or ResourceGoneException)
            {
                throw new BusinessRuleException($"Patient/{chosen} is not a patient of this node.", "Task.output.valueReference");
            }
        }

        var package = Package(held, id);
        var identifier = package.Identifier!.Value!;
        var referral = package.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Task>().Single();
        var referralUrl = package.Entry.Single(e => e.Resource == referral).FullUrl;
        var patientEntry = package.Entry.Single(e => e.Resource is Patient);
        string patientReference;
        if (choice.PatientId is { } existing)
        {
            PackageFiling.FileUnder(package, patientEntry, existing);
            patientReference = $"Patient/{existing}";
        }
        else
        {
            // A new patient even though identifiers match one here: the coordinator found it is someone else.
            patientEntry.Request!.IfNoneExist = null;
            patientReference = patientEntry.FullUrl!;
        }

        PackageFiling.MarkReceived(referral);
        // The answer time runs from the package's arrival (the match Task's authoredOn): matching is the receiver's own delay.
        deadline.Stamp(referral, package.Entry.Select(e => e.Resource).OfType<ServiceRequest>().FirstOrDefault(r => ReferralTask.ReferralId(r) == ReferralTask.ReferralId(referral)),
            held.AuthoredOnElement?.ToDateTimeOffset(TimeSpan.Zero) ?? clock.GetUtcNow());
        current.Status = TaskStatus.Completed;
        current.Output = [.. requested.Output.Where(o => o.Type?.Text is PatientMatchTask.PatientOutput or PatientMatchTask.NewPatientOutput)];
        current.For = new ResourceReference(patientReference);
        current.Focus = new ResourceReference(referralUrl);
        current.LastModifiedElement = new FhirDateTime(clock.GetUtcNow());
        // In the package's own transaction, so the match Task's references to what is filed resolve to the stored ids.
        package.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"urn:uuid:{Guid.NewGuid():D}",
            Resource = current,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Task/{id}", IfMatch = FhirResult.WeakETag(currentEntity.VersionId) },
        });

        // Filed by the node on the coordinator's decision: the package's records need more than a coordinator may write,
        // and the referral's "received" goes back to the placer through the outbox as for any change made here.
        using var work = callers.RequestCaller is { } resolver ? NodeWork.Begin(resolver) : null;
        inProgress.TaskId = id;
        try
        {
            await processor.ProcessAsync(package, context, ct, alongside: async token =>
            {
                var record = await db.Inbox.FirstOrDefaultAsync(m => m.BundleIdentifier == identifier, token);
                if (record?.State != "held")
                {
                    throw new ConflictException($"Package {identifier} is not held here (it is {record?.State ?? "unknown"}).");
                }

                record.State = "applied";
            });
        }
        finally
        {
            inProgress.TaskId = null;
        }

        var resolved = await db.Resources.AsNoTracking().SingleAsync(r => r.ResourceType == "Task" && r.ResourceId == id && !r.IsHistory, ct);
        return CrudEndpoints.WriteResponse(context, StatusCodes.Status200OK, resolved, null);
    }

    /// <summary>The chosen patient (null: file the package's patient as new), from exactly one of the two outputs.</summary>
    private static (string? PatientId, bool AsNew) Choice(Hl7.Fhir.Model.Task task)
    {
        var patient = PatientMatchTask.Output(task, PatientMatchTask.PatientOutput);
        var asNew = PatientMatchTask.Output(task, PatientMatchTask.NewPatientOutput);
        if ((patient is null) == (asNew is null))
        {
            throw new InvalidResourceException(
                $"Completing a patient-match Task needs exactly one output: '{PatientMatchTask.PatientOutput}' (valueReference Patient/[id]) or '{PatientMatchTask.NewPatientOutput}' (valueBoolean true).",
                "Task.output");
        }

        if (patient is not null)
        {
            const string prefix = "Patient/";
            if (patient.Value is not ResourceReference { Reference: { } reference } || !reference.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidResourceException($"The '{PatientMatchTask.PatientOutput}' output must be a valueReference to Patient/[id].", "Task.output.valueReference");
            }

            var patientId = reference[prefix.Length..];
            ResourceStore.ValidateId(patientId);
            return (patientId, false);
        }

        if (asNew!.Value is not FhirBoolean { Value: true })
        {
            throw new InvalidResourceException($"The '{PatientMatchTask.NewPatientOutput}' output must be valueBoolean true.", "Task.output.valueBoolean");
        }

        return (null, true);
    }

    private async Task<Hl7.Fhir.Model.Task?> FirstVersionAsync(string id, CancellationToken ct)
    {
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == "Task" && r.ResourceId == id && r.VersionId == 1 && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as Hl7.Fhir.Model.Task;
    }

    private Bundle Package(Hl7.Fhir.Model.Task held, string id)
    {
        if (PatientMatchTask.Package(held)?.Data is not { } data || serializer.ParseStored(Encoding.UTF8.GetString(data)) is not Bundle package
            || package.Identifier?.Value is null || package.Entry.Count(e => e.Resource is Hl7.Fhir.Model.Task) != 1 || package.Entry.Count(e => e.Resource is Patient) != 1
            || package.Entry.Any(e => e.Request is null || string.IsNullOrEmpty(e.FullUrl)))
        {
            throw new BusinessRuleException($"Task/{id} holds no referral package that can be filed.", "Task.input");
        }

        return package;
    }
}

/// <summary>Which patient-match Task the current request is resolving, so <see cref="PatientMatchTaskRule"/> lets its completion through.</summary>
public sealed class MatchResolutionInProgress
{
    public string? TaskId { get; set; }
}

/// <summary>
/// Guards the matching queue. Only the node creates patient-match Tasks (when its inbox holds a package), since
/// resolving one files the package it holds with the node's own rights. And one is completed only by resolving it
/// (<see cref="PatientMatchResolution"/>), which files the package in the same transaction: a completion any other way
/// (PATCH, a Bundle entry) would close the queue entry and leave the referral unfiled.
/// </summary>
public sealed class PatientMatchTaskRule(FhirSerializer serializer, CallerContext callers, MatchResolutionInProgress inProgress) : IWriteRule
{
    public System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted && e.ResourceId != inProgress.TaskId))
        {
            if (serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task || !PatientMatchTask.Is(task))
            {
                continue;
            }

            if (entity.VersionId == 1 && NodeWork.Current is null && callers.RequestCaller is not null)
            {
                throw new ForbiddenException("Patient-match Tasks are created by the node itself, when it holds a referral package for a coordinator.");
            }

            if (task.Status == TaskStatus.Completed)
            {
                throw new ConflictException(
                    $"A patient-match Task is completed by resolving it: PUT Task/{entity.ResourceId} with status completed and an output '{PatientMatchTask.PatientOutput}' or '{PatientMatchTask.NewPatientOutput}'.",
                    "Task.status");
            }
        }

        return System.Threading.Tasks.Task.CompletedTask;
    }
}
