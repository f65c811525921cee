using System.Net;
using Hl7.Fhir.Model;
using Xunit;

using static Referral.FunctionalTests.Workflow.ReferralSteps;

namespace Referral.FunctionalTests.Workflow;

/// <summary>An upward referral between two real nodes: submitted while the partner is down, delivered when it returns, accepted, and seen the same at both ends.</summary>
public sealed class ReferralLoopTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task A_referral_made_while_the_partner_is_down_is_delivered_when_it_returns_and_acceptance_travels_back()
    {
        using var municipal = _nodes.MunicipalNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103141234"));
        var report = await municipal.CreateAsync(new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "24627-2", "CT chest"),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
            Conclusion = "右肺上叶占位 Mass in the right upper lobe",
        });
        var referralId = Guid.NewGuid().ToString("N");
        using (var submitted = await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId, $"DiagnosticReport/{report.Id}"))))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        // The cancer hospital is down: the package waits in the outbox, retried with back-off.
        await TwoNodes.EventuallyAsync(async () => (await OutboxAsync(_nodes.MunicipalNode)).Any(m => m.Attempts > 0), "a failed delivery attempt");
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.Requested, (await ReferralSteps.TaskAsync(municipal, referralId)).Status);

        _nodes.StartCancerNode();
        using var cancer = _nodes.CancerNode.CreateClient();
        await TwoNodes.EventuallyAsync(async () => await ReferralSteps.FindTaskAsync(cancer, referralId) is not null, "the referral at the cancer hospital");
        var received = await ReferralSteps.TaskAsync(cancer, referralId);
        Assert.Equal(Hl7.Fhir.Model.Task.TaskStatus.Received, received.Status);
        var filed = (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103141234")).Matches<Patient>().Single();
        Assert.Equal($"Patient/{filed.Id}", received.For.Reference);
        var request = (await cancer.SearchAsync($"ServiceRequest?identifier={Referrals.System}|{referralId}")).Matches<ServiceRequest>().Single();
        Assert.Equal(TwoNodes.Cancer, request.Performer.Single().Reference);
        Assert.Equal(1, (await cancer.SearchAsync($"DiagnosticReport?subject=Patient/{filed.Id}&_summary=count")).Total);
        Assert.True((await cancer.SearchAsync($"Provenance?agent={TwoNodes.Municipal}&_summary=count")).Total >= 1);

        // Transport acknowledgement reaches the placer.
        await TwoNodes.EventuallyAsync(async () => (await ReferralSteps.TaskAsync(municipal, referralId)).Status == Hl7.Fhir.Model.Task.TaskStatus.Received, "received at the municipal hospital");

        // The specialist accepts; the placer sees it.
        received.Status = Hl7.Fhir.Model.Task.TaskStatus.Accepted;
        received.BusinessStatus = new CodeableConcept("http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS", "3.0", "Service Request Accepted");
        using (var accept = await cancer.PutAsync($"/fhir/Task/{received.Id}", FhirClient.Body(received)))
        {
            Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        }

        await TwoNodes.EventuallyAsync(async () => (await ReferralSteps.TaskAsync(municipal, referralId)).Status == Hl7.Fhir.Model.Task.TaskStatus.Accepted, "accepted at the municipal hospital");
        Assert.Equal("3.0", (await ReferralSteps.TaskAsync(municipal, referralId)).BusinessStatus.Coding[0].Code);
    }

    [Fact]
    public async System.Threading.Tasks.Task Delivering_the_same_package_twice_changes_nothing()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103145678"));
        var referralId = Guid.NewGuid().ToString("N");
        (await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId)))).Dispose();
        await TwoNodes.EventuallyAsync(async () => await ReferralSteps.FindTaskAsync(cancer, referralId) is not null, "the referral at the cancer hospital");
        var before = await ReferralSteps.TaskAsync(cancer, referralId);

        var package = (await OutboxAsync(_nodes.MunicipalNode)).First(m => m.StreamKey == referralId);
        using var partner = _nodes.CancerNode.CreateClient(await _nodes.CancerNode.TokenAsync("municipal-hospital-node", "municipal-node-test-secret"));
        using var again = await partner.PostAsync("/fhir", FhirClient.Body(package.Payload));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("already", (await again.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(1, (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103145678&_summary=count")).Total);
        Assert.Equal(before.Meta.VersionId, (await ReferralSteps.TaskAsync(cancer, referralId)).Meta.VersionId);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_illegal_transition_is_refused_with_409_naming_it()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103149999"));
        var referralId = Guid.NewGuid().ToString("N");
        (await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId)))).Dispose();
        await TwoNodes.EventuallyAsync(async () => await ReferralSteps.FindTaskAsync(cancer, referralId) is not null, "the referral at the cancer hospital");

        var task = await ReferralSteps.TaskAsync(cancer, referralId);
        task.Status = Hl7.Fhir.Model.Task.TaskStatus.Completed;
        using var skip = await cancer.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task));
        Assert.Equal(HttpStatusCode.Conflict, skip.StatusCode);
        Assert.Contains("from received to completed", (await skip.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);

        // The placer may not accept its own referral. Its copy is taken once the receipt has travelled back, so the
        // update is refused for the transition and not for racing the receipt (which stamps the answer deadline).
        await TwoNodes.EventuallyAsync(
            async () => (await ReferralSteps.TaskAsync(municipal, referralId)).Status == Hl7.Fhir.Model.Task.TaskStatus.Received, "the receipt at the municipal hospital");
        var placed = await ReferralSteps.TaskAsync(municipal, referralId);
        placed.Status = Hl7.Fhir.Model.Task.TaskStatus.Accepted;
        using var selfAccept = await municipal.PutAsync($"/fhir/Task/{placed.Id}", FhirClient.Body(placed));
        Assert.Equal(HttpStatusCode.Conflict, selfAccept.StatusCode);

        // Rejecting needs a reason.
        task.Status = Hl7.Fhir.Model.Task.TaskStatus.Rejected;
        using var noReason = await cancer.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_conflicting_patient_match_is_held_for_a_coordinator_and_not_filed()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        // The cancer hospital knows the resident ID with another birth date.
        var local = Referrals.Patient("110101196103140000", birthDate: "1958-01-01");
        local.ManagingOrganization = null;
        await cancer.CreateAsync(local);
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103140000"));
        var referralId = Guid.NewGuid().ToString("N");
        (await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId)))).Dispose();

        await TwoNodes.EventuallyAsync(async () => (await cancer.SearchAsync("Task?code=patient-match&_summary=count")).Total > 0, "a matching Task");
        var review = (await cancer.SearchAsync("Task?code=patient-match")).Matches<Hl7.Fhir.Model.Task>().Single();
        Assert.Contains("birth date", review.Description, StringComparison.Ordinal);
        Assert.Null(await ReferralSteps.FindTaskAsync(cancer, referralId));
        Assert.Equal(1, (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103140000&_summary=count")).Total);
    }

    public void Dispose() => _nodes.Dispose();
}
