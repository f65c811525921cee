using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class BindingRuleTests
{
    [Fact]
    public void An_unknown_reason_code_is_not_in_the_required_value_set()
    {
        var referral = ReferralExample();
        referral.ReasonCode[0].Coding[0].Code = "bored";

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.reasonCode[0]");
        Assert.Contains("referral-reason", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_given_only_as_text_does_not_satisfy_a_required_binding()
    {
        var referral = ReferralExample();
        referral.ReasonCode[0].Coding.Clear();

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.reasonCode[0]");
    }

    [Fact]
    public void Stat_is_a_FHIR_priority_but_not_an_alliance_urgency()
    {
        var referral = ReferralExample();
        referral.Priority = RequestPriority.Stat;

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.priority");
    }

    [Fact]
    public void A_direction_code_other_than_up_or_down_is_refused_inside_the_extension()
    {
        var referral = ReferralExample();
        referral.Extension[0].Value = new Code("sideways");

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.extension[0].value");
    }

    [Fact]
    public void Task_business_status_takes_BSeR_and_alliance_codes_only()
    {
        var task = ReferralTaskExample();
        task.BusinessStatus = new CodeableConcept(AllianceBase + "/CodeSystem/referral-business-status", "awaiting-information");
        Assert.Empty(Validate(task, TaskProfile));

        task.BusinessStatus = new CodeableConcept("http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS", "9.9");
        SingleError(task, TaskProfile, OperationOutcome.IssueType.CodeInvalid, "Task.businessStatus");
    }

    [Fact]
    public void A_rejection_reason_from_another_system_is_refused()
    {
        var task = ReferralTaskExample();
        task.StatusReason = new CodeableConcept("urn:local:reasons", "insufficient-information");

        SingleError(task, TaskProfile, OperationOutcome.IssueType.CodeInvalid, "Task.statusReason");
    }
}
