namespace Referral.Fhir.Features.Search.Query;

/// <summary>The <c>_total</c> values; an estimate is the accurate count, since the count is one indexed query anyway.</summary>
public enum TotalMode
{
    Accurate,
    Estimate,
    None,
}
