using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class FixedPatternRuleTests
{
    [Fact]
    public void A_referral_with_intent_plan_breaks_the_fixed_intent()
    {
        var referral = ReferralExample();
        referral.Intent = RequestIntent.Plan;

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Value, "ServiceRequest.intent");
        Assert.Contains("'order'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void A_summary_whose_type_is_not_a_discharge_summary_breaks_the_pattern()
    {
        var summary = SummaryExample();
        summary.Type = new CodeableConcept("http://loinc.org", "11488-4", "Consult note");

        SingleError(summary, SummaryProfile, OperationOutcome.IssueType.Value, "Composition.type");
    }

    [Fact]
    public void A_pattern_lets_the_instance_carry_more_than_the_pattern()
    {
        var summary = SummaryExample();
        summary.Type.Coding.Add(new Coding("urn:oid:2.16.156.10011.2.2.1", "C0032"));
        summary.Type.Text = "出院小结";

        Assert.Empty(Validate(summary, SummaryProfile));
    }

    [Fact]
    public void A_referral_without_the_referral_category_misses_the_pattern_slice()
    {
        var referral = ReferralExample();
        referral.Category = [new CodeableConcept("http://snomed.info/sct", "11429006", "Consultation")];

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Required, "ServiceRequest.category");
        Assert.Contains("slice 'referral'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consultation_request_needs_the_consultation_category()
    {
        var consultation = ConsultationExample();
        consultation.Category[0].Coding[0].Code = "3457005";

        SingleError(consultation, ConsultationProfile, OperationOutcome.IssueType.Required, "ServiceRequest.category");
    }
}
