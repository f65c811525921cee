using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class TypeRuleTests
{
    [Fact]
    public void A_referral_performed_by_a_practitioner_points_to_the_wrong_type()
    {
        var referral = ReferralExample();
        referral.Performer[0] = new ResourceReference("Practitioner/dr-zhang");

        var issues = Validate(referral, ReferralProfile);

        var typed = Assert.Single(issues, i => i.Code == OperationOutcome.IssueType.Structure);
        Assert.Equal(["ServiceRequest.performer[0]"], typed.Expression);
        // ref-1 says the same in FHIRPath.
        Assert.Contains(issues, i => i.Code == OperationOutcome.IssueType.Invariant);
    }

    [Fact]
    public void An_absolute_reference_is_checked_by_the_type_in_its_path()
    {
        var task = ReferralTaskExample();
        task.Focus = new ResourceReference("https://cancer-hospital.example/fhir/Observation/1");

        SingleError(task, TaskProfile, OperationOutcome.IssueType.Structure, "Task.focus");
    }

    [Fact]
    public void A_reference_that_is_not_literal_is_not_resolved()
    {
        var task = ReferralTaskExample();
        task.Focus = new ResourceReference { Identifier = new Identifier(AllianceBase + "/identifier/referral", "ZZ-2026-000123") };

        Assert.Empty(Validate(task, TaskProfile));
    }

    [Fact]
    public void A_direction_given_as_a_string_is_the_wrong_choice_type()
    {
        var referral = ReferralExample();
        referral.Extension[0].Value = new FhirString("up");

        var issue = Assert.Single(Validate(referral, ReferralProfile), i => i.Code == OperationOutcome.IssueType.Structure);
        Assert.Equal(["ServiceRequest.extension[0].value"], issue.Expression);
    }

    [Fact]
    public void A_profile_for_another_type_is_a_structure_error()
    {
        SingleError(SummaryExample(), TaskProfile, OperationOutcome.IssueType.Structure, "Composition");
    }
}
