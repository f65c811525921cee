using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class InvariantRuleTests
{
    [Fact]
    public void A_rejected_task_without_status_reason_breaks_tsk_rej()
    {
        var task = ReferralTaskExample();
        task.StatusReason = null;

        var issue = SingleError(task, TaskProfile, OperationOutcome.IssueType.Invariant, "Task");
        Assert.StartsWith("tsk-rej:", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Hl7.Fhir.Model.Task.TaskStatus.Requested)]
    [InlineData(Hl7.Fhir.Model.Task.TaskStatus.Accepted)]
    public void A_task_that_is_not_rejected_or_cancelled_needs_no_reason(Hl7.Fhir.Model.Task.TaskStatus status)
    {
        var task = ReferralTaskExample();
        task.Status = status;
        task.StatusReason = null;

        Assert.Empty(Validate(task, TaskProfile));
    }

    [Fact]
    public void A_performer_given_only_by_identifier_breaks_ref_1()
    {
        var referral = ReferralExample();
        referral.Performer[0] = new ResourceReference { Identifier = new Identifier("urn:oid:1.2.156", "cancer-hospital") };

        var issue = SingleError(referral, ReferralProfile, OperationOutcome.IssueType.Invariant, "ServiceRequest");
        Assert.StartsWith("ref-1:", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invariant_on_a_slice_is_evaluated_on_the_slice_member()
    {
        var summary = SummaryExample();
        summary.Section[1].Text = null;

        var issue = SingleError(summary, SummaryProfile, OperationOutcome.IssueType.Invariant, "Composition.section[1]");
        Assert.StartsWith("bsum-1:", issue.Diagnostics, StringComparison.Ordinal);
    }
}
