using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Identity.Access;

namespace Referral.Workflow.Documents;

/// <summary>
/// Loads what a rendered document shows. Records are read as the caller (their access applies, and a record the
/// caller may not see is left out rather than printed); a hospital's name is directory data.
/// </summary>
public sealed class DocumentSources(ResourceStore store, IOptions<NodeOptions> node, IOptions<AllianceOptions> alliance)
{
    public async Task<Resource?> ReadAsync(string? reference, CancellationToken ct)
    {
        var slash = reference?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || reference!.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return store.ToResource(await store.ReadAsync(reference[..slash], reference[(slash + 1)..], ct));
        }
        catch (FhirException e) when (e is ResourceNotFoundException or ResourceGoneException or BadRequestException)
        {
            return null;
        }
    }

    public async Task<Patient> PatientAsync(ResourceReference? subject, string element, CancellationToken ct) =>
        await ReadAsync(subject?.Reference, ct) as Patient
        ?? throw new BusinessRuleException($"{element} must name a patient known here.", element);

    /// <summary>The hospital's name: its Organization here, else the alliance configuration, else the reference.</summary>
    public async Task<string> OrganizationAsync(string? reference, CancellationToken ct)
    {
        if (reference is null)
        {
            return "—";
        }

        var id = reference.StartsWith("Organization/", StringComparison.Ordinal) ? reference["Organization/".Length..] : null;
        var stored = id is null ? null : await store.Db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == "Organization" && r.ResourceId == id && !r.IsHistory && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        if (stored is not null && store.Serializer.ParseStored(stored) is Organization { Name: { Length: > 0 } name })
        {
            return name;
        }

        return reference == node.Value.Organization ? node.Value.Name : alliance.Value.Find(reference)?.Name ?? reference;
    }

    /// <summary>"Dr name (phone)" for a Practitioner or PractitionerRole reference; its display when it cannot be read.</summary>
    public async Task<string?> PractitionerAsync(ResourceReference? reference, CancellationToken ct)
    {
        if (reference?.Reference is not { } target || !(target.StartsWith("Practitioner/", StringComparison.Ordinal) || target.StartsWith("PractitionerRole/", StringComparison.Ordinal)))
        {
            return reference?.Display;
        }

        var resource = await ReadAsync(target, ct);
        if (resource is PractitionerRole role)
        {
            resource = await ReadAsync(role.Practitioner?.Reference, ct);
        }

        if (resource is not Practitioner practitioner)
        {
            return reference.Display;
        }

        var phone = practitioner.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Phone)?.Value;
        return $"{Plain.Name(practitioner.Name) ?? reference.Display}{(phone is null ? "" : $"（{phone}）")}";
    }

    /// <summary>The patient's active Coverage (its type is the form's 医保类别), or null when none is recorded.</summary>
    public Task<Coverage?> CoverageAsync(string patientId, CancellationToken ct) => PatientCoverage.ActiveAsync(store.Db, store.Serializer, patientId, ct);

    public async Task<Consent?> SharingConsentAsync(string patientId, string organization, CancellationToken ct)
    {
        var json = await SharingConsentRule.ActiveSharingConsents(store.Db, patientId, organization["Organization/".Length..])
            .AsNoTracking().Select(c => c.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : store.Serializer.ParseStored(json) as Consent;
    }
}
