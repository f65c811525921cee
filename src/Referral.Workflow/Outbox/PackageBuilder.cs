using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Serialization;
using Referral.Identity.Access;
using Referral.Persistence;

namespace Referral.Workflow.Outbox;

/// <summary>
/// Builds the referral package the placer sends: one transaction Bundle with a stable identifier holding the Task,
/// its ServiceRequest, the patient, the records the ServiceRequest names as supportingInfo, the patient's sharing
/// Consents for the receiver, and a Provenance. Every entry is a conditional write keyed on a business identifier,
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
    private static string? SourceKey(Resource copy, string home, string local)
    {
        var value = $"{home}/{local}";
        switch (copy)
        {
            case IIdentifiable<List<Identifier>> identifiable:
                identifiable.Identifier.Add(new Identifier(ReferralCodes.SourceRecordSystem, value));
                return $"identifier={ReferralCodes.SourceRecordSystem}|{value}";
            case IIdentifiable<Identifier> single:
                // One identifier only (Composition): the document's own when it has one, else where it came from.
                single.Identifier ??= new Identifier(ReferralCodes.SourceRecordSystem, value);
                return single.Identifier.System is { } system && single.Identifier.Value is { } key ? $"identifier={system}|{key}" : null;
            default:
                return null;
        }
    }

    private static Bundle.EntryComponent Entry(string fullUrl, Resource resource, Bundle.HTTPVerb method, string url, string? ifNoneExist) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = method, Url = url, IfNoneExist = ifNoneExist },
    };

    private async Task<T?> LoadAsync<T>(string? reference, CancellationToken ct)
        where T : Resource
    {
        var slash = reference?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0)
        {
            return null;
        }

        var (type, id) = (reference![..slash], reference[(slash + 1)..]);
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as T;
    }

    private async Task<List<Consent>> SharingConsentsAsync(string patientId, string destination, CancellationToken ct)
    {
        var organizationId = destination["Organization/".Length..];
        var rows = await SharingConsentRule.ActiveSharingConsents(db, patientId, organizationId).AsNoTracking().Select(c => c.Json).ToListAsync(ct);
        return [.. rows.Select(serializer.ParseStored).OfType<Consent>()];
    }

    private static string NewUrn() => $"urn:uuid:{Guid.NewGuid():D}";
}
