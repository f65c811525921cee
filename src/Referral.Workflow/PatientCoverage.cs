using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Workflow;

/// <summary>
/// The patient's insurance as the referral form needs it (医保类别): the active Coverage whose beneficiary the patient
/// is, the most recently changed one when there are several. It travels in the referral package and is printed on the letter.
/// </summary>
public static class PatientCoverage
{
    /// <summary>The code system of <c>Coverage.type</c> (fhir-profiles/CodeSystem/insurance-type.json).</summary>
    public const string InsuranceTypeSystem = ReferralCodes.Base + "/CodeSystem/insurance-type";

    public static async Task<Coverage?> ActiveAsync(FhirDbContext db, FhirSerializer serializer, string patientId, CancellationToken ct)
    {
        var json = await db.Resources.AsNoTracking()
            .Where(c => c.ResourceType == "Coverage" && !c.IsHistory && !c.IsDeleted
                && db.TokenIndices.Any(t => t.Sid == c.Sid && t.Param == "status" && t.Code == "active")
                && db.ReferenceIndices.Any(i => i.Sid == c.Sid && i.Param == "beneficiary" && i.TargetType == "Patient" && i.TargetId == patientId))
            .OrderByDescending(c => c.LastUpdatedTicks).ThenByDescending(c => c.Sid)
            .Select(c => c.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as Coverage;
    }
}
