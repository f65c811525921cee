using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;
using Referral.Workflow.Referrals;

namespace Referral.Workflow.Outbox;

/// <summary>
/// Builds the referral package the placer sends: one transaction Bundle with a stable identifier holding the Task,
/// its ServiceRequest, the patient, the records the ServiceRequest names as supportingInfo, the patient's sharing
/// Consents for the receiver, the patient's active Coverage (insurance type), and a Provenance. Every entry is a conditional write keyed on a business identifier,
/// so a package applied twice files nothing twice.
/// </summary>
public sealed class PackageBuilder(FhirDbContext db, FhirSerializer serializer)
{
    public async Task<Bundle> BuildAsync(Hl7.Fhir.Model.Task task, string referralId, string home, string destination, string bundleIdentifier, DateTimeOffset now, CancellationToken ct)
    {
        var request = await LoadAsync<ServiceRequest>(task.Focus?.Reference, ct)
            ?? throw new Fhir.Errors.BusinessRuleException("A referral Task must have the referral ServiceRequest as its focus.", "Task.focus");
        var patient = await LoadAsync<Patient>(task.For?.Reference, ct)
            ?? throw new Fhir.Errors.BusinessRuleException("A referral Task must name the patient (Task.for).", "Task.for");

        var records = new List<(string Local, Resource Copy)>();
        foreach (var reference in request.SupportingInfo.Select(s => s.Reference).Where(r => r is not null).Distinct())
        {
            if (await LoadAsync<Resource>(reference, ct) is { } record)
            {
                records.Add((reference!, record));
            }
        }

        foreach (var consent in await SharingConsentsAsync(patient.Id!, destination, ct))
        {
            records.Add(($"Consent/{consent.Id}", consent));
        }

        // Not a copy of the receiver's own Coverage (a referral back down): it holds the original, and a copy would be a second one there.
        if (await PatientCoverage.ActiveAsync(db, serializer, patient.Id!, ct) is { } coverage && records.All(r => r.Local != $"Coverage/{coverage.Id}")
            && SourceRecords.Of(coverage)?.StartsWith(destination + "/", StringComparison.Ordinal) != true)
        {
            records.Add(($"Coverage/{coverage.Id}", coverage));
        }

        var urls = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"Patient/{patient.Id}"] = NewUrn(),
            [$"ServiceRequest/{request.Id}"] = NewUrn(),
            [$"Task/{task.Id}"] = NewUrn(),
        };
        foreach (var (local, _) in records)
        {
            urls.TryAdd(local, NewUrn());
        }

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Identifier = new Identifier(ReferralCodes.PackageIdentifierSystem, bundleIdentifier),
            Timestamp = now,
        };
        bundle.Entry.Add(Entry(urls[$"Patient/{patient.Id}"], Copy(patient, home, urls), Bundle.HTTPVerb.POST, "Patient", PatientKey(patient)));
        foreach (var (local, record) in records)
        {
            var copy = Copy(record, home, urls);
            var key = SourceKey(copy, home, local);
            bundle.Entry.Add(Entry(urls[local], copy, Bundle.HTTPVerb.POST, copy.TypeName, key));
        }

        var referralKey = $"identifier={ReferralCodes.ReferralIdentifierSystem}|{referralId}";
        bundle.Entry.Add(Entry(urls[$"ServiceRequest/{request.Id}"], Copy(request, home, urls), Bundle.HTTPVerb.PUT, $"ServiceRequest?{referralKey}", null));
        bundle.Entry.Add(Entry(urls[$"Task/{task.Id}"], Copy(task, home, urls), Bundle.HTTPVerb.PUT, $"Task?{referralKey}", null));
        bundle.Entry.Add(Entry(NewUrn(), new Provenance
        {
            Target = [.. bundle.Entry.Select(e => new ResourceReference(e.FullUrl))],
            Recorded = now,
            Activity = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE"),
            Agent = [new Provenance.AgentComponent
            {
                Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author"),
                Who = new ResourceReference(home),
            }],
        }, Bundle.HTTPVerb.POST, "Provenance", null));
        return bundle;
    }

    /// <summary>
    /// A status message for a change of the referral <paramref name="task"/> (or of a Task about it) in one write:
    /// the Task, with its patient, request and itself as <c>urn:uuid</c> stand-ins the receiver maps to its own, and
    /// the records that step brought: those its inputs and outputs name for the first time or that the same write
    /// changed (an answer's documents, the booked Appointment), and Tasks about the referral written with it (a
    /// cancellation request). Each record is a conditional update keyed on where it was first made (its source-record
    /// identifier, else this node's own), so both nodes keep one copy of it and a later change replaces that copy.
    /// </summary>
    public async Task<Bundle> BuildStatusAsync(
        Hl7.Fhir.Model.Task task, string referralId, string home, string bundleIdentifier, DateTimeOffset now, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var self = $"Task/{task.Id}";
        var changed = written.Where(e => !e.IsDeleted).Select(e => $"{e.ResourceType}/{e.ResourceId}").ToHashSet(StringComparer.Ordinal);
        var taskVersion = written.FirstOrDefault(e => e.ResourceType == "Task" && e.ResourceId == task.Id && !e.IsDeleted);
        var before = taskVersion is null
            ? ParameterRecords(task)
            : await StoredResources.PreviousAsync<Hl7.Fhir.Model.Task>(db, serializer, taskVersion, ct) is { } previous ? ParameterRecords(previous) : [];

        var urls = new Dictionary<string, string>(StringComparer.Ordinal) { [self] = NewUrn() };
        foreach (var own in new[] { task.For?.Reference, task.Focus?.Reference }.OfType<string>())
        {
            urls.TryAdd(own, NewUrn());
        }

        var records = new List<(string Local, Resource Record)>();
        foreach (var reference in ParameterRecords(task).Where(r => !before.Contains(r) || changed.Contains(r)).Where(r => !urls.ContainsKey(r)))
        {
            if (await StoredResources.CurrentAsync<Resource>(db, serializer, reference, ct) is { } record)
            {
                records.Add((reference, record));
            }
        }

        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted && e.ResourceId != task.Id))
        {
            if (serializer.ParseStored(entity.Json) is Hl7.Fhir.Model.Task about && ReferralTask.IsAbout(about, task)
                && records.All(r => r.Local != $"Task/{entity.ResourceId}"))
            {
                records.Add(($"Task/{entity.ResourceId}", about));
            }
        }

        // A record that cannot carry where it was made cannot be keyed: it stays a logical reference.
        records.RemoveAll(r => SourceRecords.Of(r.Record) is null && !SourceRecords.CanMark(r.Record));
        foreach (var (local, _) in records)
        {
            urls[local] = NewUrn();
        }

        var entries = new List<Bundle.EntryComponent>();
        foreach (var (local, record) in records)
        {
            var copy = Copy(record, home, urls);
            var origin = SourceRecords.Of(record) ?? $"{home}/{local}";
            if (SourceRecords.Of(copy) is null)
            {
                SourceRecords.Mark(copy, origin);
            }

            await PointAtOriginsAsync(copy, home, ct);
            entries.Add(Entry(urls[local], copy, Bundle.HTTPVerb.PUT, $"{copy.TypeName}?{SourceRecords.Criteria(origin)}", null));
        }

        var taskCopy = Copy(task, home, urls);
        await PointAtOriginsAsync(taskCopy, home, ct);
        return StatusMessage.Wrap(taskCopy, urls[self], referralId, bundleIdentifier, now, entries);
    }

    /// <summary>This node's records that the Task's inputs and outputs name (organisations aside).</summary>
    private static HashSet<string> ParameterRecords(Hl7.Fhir.Model.Task task) =>
        task.Input.Select(i => i.Value).Concat(task.Output.Select(o => o.Value)).OfType<ResourceReference>()
            .Select(r => r.Reference).Where(r => StoredResources.Split(r) is { Type: not "Organization" }).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// A logical reference to a record of ours that is itself a partner's copy names the original instead, so the
    /// partner finds its own record.
    /// </summary>
    private async System.Threading.Tasks.Task PointAtOriginsAsync(Resource copy, string home, CancellationToken ct)
    {
        foreach (var reference in ReferenceRewriter.References(copy).ToList())
        {
            if (reference is { Reference: null, Identifier: { System: ReferralCodes.SourceRecordSystem, Value: { } value } identifier }
                && value.StartsWith(home + "/", StringComparison.Ordinal)
                && await StoredResources.CurrentAsync<Resource>(db, serializer, value[(home.Length + 1)..], ct) is { } target
                && SourceRecords.Of(target) is { } origin)
            {
                identifier.Value = origin;
            }
        }
    }

    /// <summary>
    /// A copy for the partner: no local id or version; references to records in the package point at their entries,
    /// organisations keep their alliance-wide ids, and anything else becomes a logical reference to where it came from.
    /// </summary>
    public static T Copy<T>(T resource, string home, IReadOnlyDictionary<string, string> urls)
        where T : Resource
    {
        var copy = (T)resource.DeepCopy();
        copy.Id = null;
        copy.Meta = copy.Meta?.Profile.Any() == true ? new Meta { Profile = copy.Meta.Profile } : null;
        foreach (var reference in ReferenceRewriter.References(copy).ToList())
        {
            if (reference.Reference is not { } target)
            {
                continue;
            }

            if (urls.TryGetValue(target, out var url))
            {
                reference.Reference = url;
            }
            else if (!target.StartsWith("Organization/", StringComparison.Ordinal) && !target.StartsWith("urn:", StringComparison.Ordinal) && !target.Contains("://", StringComparison.Ordinal))
            {
                reference.Identifier = new Identifier(ReferralCodes.SourceRecordSystem, $"{home}/{target}");
                reference.Reference = null;
            }
        }

        return copy;
    }

    private static string? PatientKey(Patient patient)
    {
        var identifier = patient.Identifier.FirstOrDefault(i => i.System == ReferralCodes.ResidentIdSystem)
            ?? patient.Identifier.FirstOrDefault(i => i.System == ReferralCodes.MpiSystem);
        return identifier is null ? null : $"identifier={identifier.System}|{identifier.Value}";
    }

    /// <summary>Tags the copy with where it came from and returns the conditional-create criteria on that tag.</summary>
    private static string? SourceKey(Resource copy, string home, string local) => copy switch
    {
        // One identifier only (Composition): the document's own when it has one, else where it came from.
        IIdentifiable<Identifier> { Identifier: { System: { } system, Value: { } key } } => $"identifier={system}|{key}",
        _ when SourceRecords.CanMark(copy) => SourceRecords.Mark(copy, $"{home}/{local}"),
        _ => null,
    };

    private static Bundle.EntryComponent Entry(string fullUrl, Resource resource, Bundle.HTTPVerb method, string url, string? ifNoneExist) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = method, Url = url, IfNoneExist = ifNoneExist },
    };

    private Task<T?> LoadAsync<T>(string? reference, CancellationToken ct)
        where T : Resource => StoredResources.CurrentAsync<T>(db, serializer, reference, ct);

    private async Task<List<Consent>> SharingConsentsAsync(string patientId, string destination, CancellationToken ct)
    {
        var organizationId = destination["Organization/".Length..];
        var rows = await SharingConsentRule.ActiveSharingConsents(db, patientId, organizationId).AsNoTracking().Select(c => c.Json).ToListAsync(ct);
        return [.. rows.Select(serializer.ParseStored).OfType<Consent>()];
    }

    private static string NewUrn() => $"urn:uuid:{Guid.NewGuid():D}";
}
