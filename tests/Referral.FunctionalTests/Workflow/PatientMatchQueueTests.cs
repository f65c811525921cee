using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

using static Referral.FunctionalTests.Workflow.ReferralSteps;

namespace Referral.FunctionalTests.Workflow;

/// <summary>The coordinator's matching queue between two real nodes: a package held on a conflicting patient match, and its resolution.</summary>
public abstract class PatientMatchQueueTests(string provider) : IDisposable
{
    /// <summary>The coordinators' matching queue at a node, as a FHIR search (oldest first: the longest-waiting on top).</summary>
    private const string Queue = "Task?code=http://fhir.alliance.example/CodeSystem/referral-business-status|patient-match&status=requested,in-progress&_sort=_lastUpdated";

    private readonly TwoNodes _nodes = new(provider);

    [Fact]
    public async System.Threading.Tasks.Task A_coordinator_files_a_held_package_against_the_chosen_patient_and_the_placer_sees_it_received()
    {
        _nodes.StartCancerNode();
        using var cancerAdmin = _nodes.CancerNode.CreateClient();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        var coordinatorToken = await _nodes.UserTokenAsync(_nodes.CancerNode, "coordinator");
        using var coordinator = _nodes.CancerNode.CreateClient(coordinatorToken);
        using var specialist = _nodes.CancerNode.CreateClient(await _nodes.UserTokenAsync(_nodes.CancerNode, "specialist"));
        await using var desk = await WorklistListener.ConnectAsync(_nodes.CancerUrl, coordinatorToken);

        // The cancer hospital knows the resident ID with another birth date: a conflict, held for a coordinator.
        var local = Referrals.Patient("110101196103148001", birthDate: "1958-01-01");
        local.ManagingOrganization = null;
        local = await cancerAdmin.CreateAsync(local);
        var (referralId, _) = await SubmitWithReportAsync(municipal, "110101196103148001");

        await TwoNodes.EventuallyAsync(async () => (await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>().Any(), "the held package in the matching queue");
        var review = (await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>().Single();
        Assert.Equal($"Patient/{local.Id}", review.Input.Single(i => i.Type.Text == "candidate").Value is ResourceReference r ? r.Reference : null);
        await desk.WaitForMatchAsync(m => m.TaskId == review.Id && m.Status == "requested", "the coordinator told of the held package");

        // Doctors and specialists may not resolve; malformed resolutions are refused; nothing is filed meanwhile.
        using (var bySpecialist = await specialist.PutAsync($"/fhir/Task/{review.Id}", FhirClient.Body(Resolved(review, $"Patient/{local.Id}"))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bySpecialist.StatusCode);
        }

        await ExpectRefusedAsync(coordinator, Resolved(review, null), HttpStatusCode.BadRequest, "Task.output");
        var both = Resolved(review, $"Patient/{local.Id}");
        both.Output.Add(NewPatientOutput());
        await ExpectRefusedAsync(coordinator, both, HttpStatusCode.BadRequest, "Task.output");
        await ExpectRefusedAsync(coordinator, Resolved(review, "Patient/no-such-patient"), HttpStatusCode.UnprocessableEntity, "Task.output.valueReference");
        await ExpectRefusedAsync(coordinator, Resolved(review, "Observation/x"), HttpStatusCode.BadRequest, "Task.output.valueReference");
        using (var patched = await coordinator.PatchAsync($"/fhir/Task/{review.Id}", FhirClient.Body("""[{"op":"replace","path":"/status","value":"completed"}]""", "application/json-patch+json")))
        {
            Assert.Equal(HttpStatusCode.Conflict, patched.StatusCode);
        }

        // Nobody but the node puts a package into the queue (resolving one files it with the node's rights).
        var forged = (Hl7.Fhir.Model.Task)review.DeepCopy();
        forged.Id = null;
        using (var planted = await cancerAdmin.PostAsync("/fhir/Task", FhirClient.Body(forged)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, planted.StatusCode);
        }

        Assert.Null(await FindTaskAsync(cancerAdmin, referralId));
        Assert.Equal("1", (await ReadTaskAsync(coordinator, review.Id)).Meta.VersionId);
        Assert.Single((await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>());

        // The coordinator chooses the local patient.
        using (var resolve = await coordinator.PutAsync($"/fhir/Task/{review.Id}", FhirClient.Body(Resolved(review, $"Patient/{local.Id}"))))
        {
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
            var resolved = await resolve.ReadAsync<Hl7.Fhir.Model.Task>();
            Assert.Equal(TaskStatus.Completed, resolved.Status);
            Assert.Equal($"Patient/{local.Id}", resolved.For.Reference);
        }

        var filed = await FindTaskAsync(cancerAdmin, referralId);
        Assert.NotNull(filed);
        Assert.Equal((TaskStatus.Received, $"Patient/{local.Id}"), (filed.Status, filed.For.Reference));
        // Its answer time runs from the package's arrival (the match Task's authoredOn), not from the coordinator's decision.
        var (received, due) = ServiceLevelTests.Deadline(filed);
        Assert.Equal(DateTimeOffset.Parse(review.AuthoredOn, System.Globalization.CultureInfo.InvariantCulture), received);
        Assert.Equal(TimeSpan.FromHours(4), due - received);
        Assert.Equal($"Task/{filed.Id}", (await ReadTaskAsync(coordinator, review.Id)).Focus.Reference);
        Assert.Equal(1, (await cancerAdmin.SearchAsync($"DiagnosticReport?subject=Patient/{local.Id}&_summary=count")).Total);
        Assert.Equal(1, (await cancerAdmin.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103148001&_summary=count")).Total);
        Assert.Empty((await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>());
        await desk.WaitForMatchAsync(m => m.TaskId == review.Id && m.Status == "completed", "the coordinator told of the resolution");
        await desk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "received" && c.Direction == "inbound", "the filed referral on the worklist");

        // The placer sees the referral received.
        await TwoNodes.EventuallyAsync(
            async () => (await FindTaskAsync(municipal, referralId))?.Status == TaskStatus.Received, "received at the municipal hospital");

        // Resolving again the same way changes nothing; another way is refused; the package delivered again changes nothing.
        using (var again = await coordinator.PutAsync($"/fhir/Task/{review.Id}", FhirClient.Body(Resolved(review, $"Patient/{local.Id}"))))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("2", (await again.ReadAsync<Hl7.Fhir.Model.Task>()).Meta.VersionId);
        }

        var otherWay = Resolved(review, null);
        otherWay.Output.Add(NewPatientOutput());
        await ExpectRefusedAsync(coordinator, otherWay, HttpStatusCode.Conflict, "Task.output");
        var package = (await OutboxAsync(_nodes.MunicipalNode)).First(m => m.StreamKey == referralId);
        using var partner = _nodes.CancerNode.CreateClient(await _nodes.CancerNode.TokenAsync("municipal-hospital-node", "municipal-node-test-secret"));
        using (var redelivered = await partner.PostAsync("/fhir", FhirClient.Body(package.Payload)))
        {
            Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        }

        Assert.Equal(filed.Meta.VersionId, (await FindTaskAsync(cancerAdmin, referralId)).Meta.VersionId);
        Assert.Equal(1, (await cancerAdmin.SearchAsync($"DiagnosticReport?subject=Patient/{local.Id}&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_coordinator_can_file_a_held_package_as_a_new_patient()
    {
        _nodes.StartCancerNode();
        using var cancerAdmin = _nodes.CancerNode.CreateClient();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var coordinator = _nodes.CancerNode.CreateClient(await _nodes.UserTokenAsync(_nodes.CancerNode, "coordinator"));
        var local = Referrals.Patient("110101196103148002", birthDate: "1990-05-05");
        local.ManagingOrganization = null;
        local = await cancerAdmin.CreateAsync(local);
        var (referralId, _) = await SubmitWithReportAsync(municipal, "110101196103148002");
        await TwoNodes.EventuallyAsync(async () => (await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>().Any(), "the held package in the matching queue");
        var review = (await coordinator.SearchAsync(Queue)).Matches<Hl7.Fhir.Model.Task>().Single();

        var asNew = Resolved(review, null);
        asNew.Output.Add(NewPatientOutput());
        using (var resolve = await coordinator.PutAsync($"/fhir/Task/{review.Id}", FhirClient.Body(asNew)))
        {
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        }

        var filed = await FindTaskAsync(cancerAdmin, referralId);
        var patients = (await cancerAdmin.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103148002")).Matches<Patient>().ToList();
        Assert.Equal(2, patients.Count);
        var created = patients.Single(p => p.Id != local.Id);
        Assert.Equal("1961-03-14", created.BirthDate);
        Assert.Equal($"Patient/{created.Id}", filed.For.Reference);
        Assert.Equal($"Patient/{created.Id}", (await ReadTaskAsync(coordinator, review.Id)).For.Reference);
        Assert.Equal(0, (await cancerAdmin.SearchAsync($"DiagnosticReport?subject=Patient/{local.Id}&_summary=count")).Total);
        await TwoNodes.EventuallyAsync(
            async () => (await FindTaskAsync(municipal, referralId))?.Status == TaskStatus.Received, "received at the municipal hospital");
    }

    private static async Task<(string ReferralId, DiagnosticReport Report)> SubmitWithReportAsync(HttpClient municipal, string residentId)
    {
        var patient = await municipal.CreateAsync(Referrals.Patient(residentId));
        var report = await municipal.CreateAsync(new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "24627-2", "CT chest"),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
        });
        var referralId = Guid.NewGuid().ToString("N");
        using var submitted = await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId, $"DiagnosticReport/{report.Id}")));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return (referralId, report);
    }

    /// <summary>The match Task as the coordinator sends it back: completed, with the chosen patient as output (none when null).</summary>
    private static Hl7.Fhir.Model.Task Resolved(Hl7.Fhir.Model.Task review, string? patient)
    {
        var resolved = (Hl7.Fhir.Model.Task)review.DeepCopy();
        resolved.Status = TaskStatus.Completed;
        resolved.Output = patient is null
            ? []
            : [new Hl7.Fhir.Model.Task.OutputComponent { Type = new CodeableConcept { Text = "patient" }, Value = new ResourceReference(patient) }];
        return resolved;
    }

    private static Hl7.Fhir.Model.Task.OutputComponent NewPatientOutput() =>
        new() { Type = new CodeableConcept { Text = "new-patient" }, Value = new FhirBoolean(true) };

    private static async System.Threading.Tasks.Task ExpectRefusedAsync(HttpClient client, Hl7.Fhir.Model.Task task, HttpStatusCode status, string expression)
    {
        using var response = await client.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task));
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expression, (await response.ReadAsync<OperationOutcome>()).Issue[0].Expression);
    }

    private static async Task<Hl7.Fhir.Model.Task> ReadTaskAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/fhir/Task/{id}");
        return await response.ReadAsync<Hl7.Fhir.Model.Task>();
    }

    private static async Task<Hl7.Fhir.Model.Task?> FindTaskAsync(HttpClient client, string referralId) =>
        (await client.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().SingleOrDefault();

    public void Dispose()
    {
        _nodes.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqlitePatientMatchQueueTests() : PatientMatchQueueTests("Sqlite");

public sealed class PostgresPatientMatchQueueTests() : PatientMatchQueueTests("PostgreSql");
