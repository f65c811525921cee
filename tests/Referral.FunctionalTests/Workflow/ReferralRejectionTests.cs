using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>The cancer hospital declines a referral with a reason; the municipal hospital sees the same rejected referral.</summary>
public sealed class ReferralRejectionTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task Rejecting_needs_a_reason_and_the_placer_sees_the_rejection_with_its_reason()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141001");

        var task = referral.AtCancer;
        task.Status = FhirTask.TaskStatus.Rejected;
        task.BusinessStatus = new CodeableConcept(Bser, "4.0", "Service Request Declined");
        using (var noReason = await cancer.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
            Assert.Equal("Task.statusReason", (await noReason.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());
        }

        task.StatusReason = new CodeableConcept(StatusReasons, "outside-scope", "Outside the receiver's scope of service")
        {
            Text = "良性病变，建议当地随访 Benign on review; follow up locally.",
        };
        await UpdateAsync(cancer, task);

        var seen = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Rejected, "rejected at the municipal hospital");
        Assert.Equal("4.0", seen.BusinessStatus.Coding.Single().Code);
        Assert.Equal(Bser, seen.BusinessStatus.Coding.Single().System);
        Assert.Equal("outside-scope", seen.StatusReason.Coding.Single().Code);
        Assert.Equal(task.StatusReason.Text, seen.StatusReason.Text);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal([("received", "received"), ("rejected", "4.0")], await HistoryAsync(cancer, atCancer));

        // A rejected referral is closed at both ends.
        seen.Status = FhirTask.TaskStatus.Cancelled;
        using var reopen = await municipal.PutAsync($"/fhir/Task/{seen.Id}", FhirClient.Body(seen));
        Assert.Equal(HttpStatusCode.Conflict, reopen.StatusCode);
        Assert.Contains("from rejected to cancelled", (await reopen.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    public void Dispose() => _nodes.Dispose();
}
