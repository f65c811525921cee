using Hl7.Fhir.Model;

namespace Referral.Workflow.Referrals;

/// <summary>The referral-direction extension (up | down) on a referral's ServiceRequest and Task.</summary>
public static class ReferralDirection
{
    public const string Url = ReferralCodes.Base + "/StructureDefinition/referral-direction";
    public const string Up = "up";
    public const string Down = "down";

    public static string? Of(DomainResource resource) => (resource.GetExtension(Url)?.Value as Code)?.Value;
}
