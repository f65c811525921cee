using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Workflow.Referrals;

/// <summary>Finds this node's current copy of a referral's Task by the referral identifier both nodes share.</summary>
public static class ReferralLookup
{
    public static async Task<Hl7.Fhir.Model.Task?> TaskAsync(FhirDbContext db, FhirSerializer serializer, string referralId, CancellationToken ct)
    {
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == "Task" && !r.IsHistory && !r.IsDeleted
                && db.TokenIndices.Any(t => t.Sid == r.Sid && t.Param == "identifier" && t.System == ReferralCodes.ReferralIdentifierSystem && t.Code == referralId))
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as Hl7.Fhir.Model.Task;
    }
}
