using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Identity.Access;

/// <summary>
/// Releasing a patient's records to another organisation (an active ServiceRequest whose performer is not this
/// hospital: a referral or consultation request to the partner) needs the patient's active Consent naming that
/// organisation as a recipient (<c>Consent.provision.actor</c>); without it the write is refused with 422.
/// </summary>
public sealed class SharingConsentRule(IOptions<NodeOptions> node) : IWriteRule
{
    /// <summary>The current, active Consents of a patient that name the organisation as a recipient (provision.actor).</summary>
    public static IQueryable<ResourceEntity> ActiveSharingConsents(FhirDbContext db, string patientId, string organizationId) =>
        db.Resources.Where(c => c.ResourceType == "Consent" && !c.IsHistory && !c.IsDeleted
            && db.TokenIndices.Any(t => t.Sid == c.Sid && t.Param == "status" && t.Code == "active")
            && db.ReferenceIndices.Any(i => i.Sid == c.Sid && i.Param == "patient" && i.TargetType == "Patient" && i.TargetId == patientId)
            && db.ReferenceIndices.Any(i => i.Sid == c.Sid && i.Param == "actor" && i.TargetType == "Organization" && i.TargetId == organizationId));

    public async Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var requests = written.Where(e => e.ResourceType == "ServiceRequest" && !e.IsDeleted).Select(e => e.Sid).ToList();
        if (requests.Count == 0)
        {
            return;
        }

        var home = node.Value.Organization["Organization/".Length..];
        var releases = await db.ReferenceIndices
            .Where(p => requests.Contains(p.Sid) && p.Param == "performer" && p.TargetType == "Organization" && p.TargetId != home
                && db.TokenIndices.Any(t => t.Sid == p.Sid && t.Param == "status" && t.Code == "active"))
            .Select(p => new
            {
                Recipient = p.TargetId,
                Patient = db.ReferenceIndices.Where(s => s.Sid == p.Sid && s.Param == "subject" && s.TargetType == "Patient").Select(s => s.TargetId).FirstOrDefault(),
            })
            .Distinct()
            .ToListAsync(ct);

        foreach (var release in releases.Where(r => r.Patient is not null))
        {
            if (!await ActiveSharingConsents(db, release.Patient!, release.Recipient!).AnyAsync(ct))
            {
                throw new BusinessRuleException(
                    $"Patient/{release.Patient} has no active Consent to share records with Organization/{release.Recipient}: record the patient's agreement (Consent with provision.actor Organization/{release.Recipient}) before referring.",
                    "ServiceRequest.performer");
            }
        }
    }
}
