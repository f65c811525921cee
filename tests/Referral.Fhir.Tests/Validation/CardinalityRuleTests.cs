using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class CardinalityRuleTests
{
    [Fact]
    public void A_referral_without_performer_is_missing_a_required_element()
    {
        var referral = ReferralExample();
        referral.Performer.Clear();

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Required, "ServiceRequest.performer");
        Assert.Contains("at least 1", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void A_referral_with_two_performers_has_too_many()
    {
        var referral = ReferralExample();
        referral.Performer.Add(new ResourceReference("Organization/third-hospital"));

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Structure, "ServiceRequest.performer");
    }

    [Fact]
    public void A_referral_without_the_direction_extension_names_the_extension_by_url()
    {
        var referral = ReferralExample();
        referral.Extension.Clear();

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Required, $"ServiceRequest.extension('{DirectionExtension}')");
    }

    [Fact]
    public void A_referral_number_is_required_but_other_identifiers_may_come_with_it()
    {
        var referral = ReferralExample();
        referral.Identifier = [new Identifier("urn:oid:1.2.156.1", "local-7")];

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Required, "ServiceRequest.identifier");
        Assert.Contains("slice 'referral'", issue.Diagnostics, StringComparison.Ordinal);

        referral.Identifier.Add(new Identifier(AllianceBase + "/identifier/referral", "ZZ-1"));
        Assert.Empty(Validate(referral, ReferralProfile));
    }

    [Fact]
    public void An_element_under_a_slice_is_counted_in_each_member_of_the_slice()
    {
        var referral = ReferralExample();
        referral.Identifier[0].Value = null;

        SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Required, "ServiceRequest.identifier[0].value");
    }

    [Fact]
    public void A_task_without_owner_is_missing_a_required_element()
    {
        var task = ReferralTaskExample();
        task.Owner = null;

        SingleError(task, TaskProfile, OperationOutcome.IssueType.Required, "Task.owner");
    }

    [Fact]
    public void A_summary_without_the_follow_up_plan_section_is_refused()
    {
        var summary = SummaryExample();
        summary.Section.RemoveAt(1);

        SingleError(summary, SummaryProfile, OperationOutcome.IssueType.Required, "Composition.section");
    }
}
