using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// Cancelling a referral: the placer cancels directly until the receiver starts work; after that it asks with a
/// cancellation request (FHIR workflow: a Task with code abort whose focus is the referral Task, business status 5.2),
/// which the receiver completes by cancelling the referral.
/// </summary>
public sealed class CancellationTests : IDisposable
{
    private const string TaskCodes = "http://hl7.org/fhir/CodeSystem/task-code";
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task The_placer_cancels_an_accepted_referral_and_the_cancellation_reaches_the_receiver()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141003");
        var accepted = referral.AtCancer;
        accepted.Status = FhirTask.TaskStatus.Accepted;
        accepted.BusinessStatus = new CodeableConcept(Bser, "3.0", "Service Request Accepted");
        await UpdateAsync(cancer, accepted);
        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Accepted, "accepted at the municipal hospital");

        placed.Status = FhirTask.TaskStatus.Cancelled;
        placed.BusinessStatus = new CodeableConcept(Bser, "6.0", "Service Request Cancelled");
        using (var noReason = await municipal.PutAsync($"/fhir/Task/{placed.Id}", FhirClient.Body(placed)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        }

        placed.StatusReason = new CodeableConcept(StatusReasons, "patient-declined", "Patient declined") { Text = "患者选择在本地治疗 The patient chose treatment locally." };
        await UpdateAsync(municipal, placed);

        var cancelled = await WaitForAsync(cancer, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Cancelled, "cancelled at the cancer hospital");
        Assert.Equal("6.0", cancelled.BusinessStatus.Coding.Single().Code);
        Assert.Equal("patient-declined", cancelled.StatusReason.Coding.Single().Code);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal([("received", "received"), ("accepted", "3.0"), ("cancelled", "6.0")], await HistoryAsync(cancer, atCancer));
    }

    [Fact]
    public async System.Threading.Tasks.Task After_work_started_the_placer_asks_to_cancel_and_the_receiver_accepts_the_request()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141004");
        var working = referral.AtCancer;
        working.Status = FhirTask.TaskStatus.Accepted;
        working.BusinessStatus = new CodeableConcept(Bser, "3.0", "Service Request Accepted");
        working = await UpdateAsync(cancer, working);
        working.Status = FhirTask.TaskStatus.InProgress;
        await UpdateAsync(cancer, working);
        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.InProgress, "in progress at the municipal hospital");

        // A direct cancel is no longer the placer's to make.
        var direct = (FhirTask)placed.DeepCopy();
        direct.Status = FhirTask.TaskStatus.Cancelled;
        direct.StatusReason = new CodeableConcept(StatusReasons, "patient-declined");
        using (var refused = await municipal.PutAsync($"/fhir/Task/{direct.Id}", FhirClient.Body(direct)))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var message = (await refused.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics;
            Assert.Contains("from in-progress to cancelled", message, StringComparison.Ordinal);
            Assert.Contains("abort", message, StringComparison.Ordinal);
        }

        // A to-do the municipal hospital keeps for itself about the referral stays there.
        await municipal.CreateAsync(new FhirTask
        {
            Status = FhirTask.TaskStatus.Requested,
            Intent = FhirTask.TaskIntent.Order,
            Description = "通知患者 Tell the patient",
            Focus = new ResourceReference($"Task/{placed.Id}"),
            Requester = new ResourceReference(TwoNodes.Municipal),
            Owner = new ResourceReference(TwoNodes.Municipal),
        });

        // The cancellation request, and business status 5.2 on the referral, in one transaction.
        const string reason = "患者已转往外地 The patient moved to another city.";
        var requestUrl = "urn:uuid:0c0c0c0c-0000-4000-8000-000000000001";
        var abort = new FhirTask
        {
            Status = FhirTask.TaskStatus.Requested,
            Intent = FhirTask.TaskIntent.Order,
            Code = new CodeableConcept(TaskCodes, "abort", "Mark the focal resource as no longer active"),
            Focus = new ResourceReference($"Task/{placed.Id}"),
            For = new ResourceReference(placed.For.Reference),
            Requester = new ResourceReference(TwoNodes.Municipal),
            Owner = new ResourceReference(TwoNodes.Cancer),
            ReasonCode = new CodeableConcept { Text = reason },
            AuthoredOn = "2026-12-01T10:00:00+08:00",
        };
        placed.BusinessStatus = new CodeableConcept(Bser, "5.2", "Service Request Cancellation Requested");
        using (var asked = await TransactionAsync(municipal, Post(abort, requestUrl), Put(placed)))
        {
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        }

        var askedThere = await WaitForAsync(cancer, referral.ReferralId, t => t.BusinessStatus.Coding[0].Code == "5.2", "cancellation requested at the cancer hospital");
        Assert.Equal(FhirTask.TaskStatus.InProgress, askedThere.Status);
        var request = (await cancer.SearchAsync($"Task?focus=Task/{askedThere.Id}")).Matches<FhirTask>().Single();
        Assert.Equal("abort", request.Code.Coding.Single().Code);
        Assert.Equal(FhirTask.TaskStatus.Requested, request.Status);
        Assert.Equal(reason, request.ReasonCode.Text);
        Assert.Equal(askedThere.For.Reference, request.For.Reference);

        // Completing the request without cancelling the referral is refused; together they go through.
        request.Status = FhirTask.TaskStatus.Completed;
        using (var alone = await TransactionAsync(cancer, Put(request)))
        {
            Assert.Equal(HttpStatusCode.Conflict, alone.StatusCode);
        }

        askedThere.Status = FhirTask.TaskStatus.Cancelled;
        askedThere.BusinessStatus = new CodeableConcept(Bser, "6.0", "Service Request Cancelled");
        askedThere.StatusReason = new CodeableConcept(StatusReasons, "other", "Other reason (see text)") { Text = reason };
        using (var done = await TransactionAsync(cancer, Put(request), Put(askedThere)))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Cancelled, "cancelled at the municipal hospital");
        var answered = (await municipal.SearchAsync($"Task?focus=Task/{placed.Id}&code={TaskCodes}|abort")).Matches<FhirTask>().Single();
        Assert.Equal(FhirTask.TaskStatus.Completed, answered.Status);
        Assert.DoesNotContain(answered.Identifier, i => i.System == SourceRecord);
        Assert.Equal("2", answered.Meta.VersionId);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal(
            [("received", "received"), ("accepted", "3.0"), ("in-progress", "3.0"), ("in-progress", "5.2"), ("cancelled", "6.0")],
            await HistoryAsync(cancer, atCancer));
    }

    public void Dispose() => _nodes.Dispose();
}
