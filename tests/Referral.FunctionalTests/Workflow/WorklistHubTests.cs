using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>Live worklists over SignalR between two real nodes: what each hospital's connected staff are told, and who may connect.</summary>
public sealed class WorklistHubTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task A_delivered_referral_and_its_acceptance_are_pushed_to_both_hospitals_but_not_to_another_organisation()
    {
        _nodes.StartCancerNode();
        var specialistToken = await _nodes.UserTokenAsync(_nodes.CancerNode, "specialist");
        var doctorToken = await _nodes.UserTokenAsync(_nodes.MunicipalNode, "doctor");
        // The cancer hospital's client sends its token the way a browser must for WebSockets: in the query string.
        await using var cancerDesk = await WorklistListener.ConnectAsync(_nodes.CancerUrl, specialistToken, inQueryString: true);
        await using var municipalDesk = await WorklistListener.ConnectAsync(_nodes.MunicipalUrl, doctorToken);
        await using var outsider = await WorklistListener.ConnectAsync(
            _nodes.CancerUrl, await _nodes.CancerNode.TokenAsync(TwoNodes.OtherOrganizationClient, TwoNodes.OtherOrganizationSecret));
        using var doctor = _nodes.MunicipalNode.CreateClient(doctorToken);
        using var specialist = _nodes.CancerNode.CreateClient(specialistToken);

        var patient = await doctor.CreateAsync(Referrals.Patient("110101196103147001"));
        var referralId = Guid.NewGuid().ToString("N");
        using (var submitted = await doctor.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId))))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var placed = await municipalDesk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "requested", "the new referral on the municipal worklist");
        Assert.Equal("outbound", placed.Direction);
        Assert.Equal(1, placed.Version);
        var arrived = await cancerDesk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "received", "the delivered referral on the cancer hospital's worklist");
        Assert.Equal(("inbound", 1, "received"), (arrived.Direction, arrived.Version, arrived.BusinessStatus));
        var acknowledged = await municipalDesk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "received", "the transport acknowledgement at the municipal hospital");
        Assert.Equal((placed.TaskId, 2), (acknowledged.TaskId, acknowledged.Version));

        var task = (await specialist.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().Single();
        Assert.Equal(arrived.TaskId, task.Id);
        // An illegal step is rolled back, and nobody is told of it.
        task.Status = TaskStatus.Completed;
        using (var illegal = await specialist.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task)))
        {
            Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        }

        task.Status = TaskStatus.Accepted;
        task.BusinessStatus = new CodeableConcept("http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS", "3.0", "Service Request Accepted");
        using (var accept = await specialist.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task)))
        {
            Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        }

        var accepted = await cancerDesk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "accepted", "the acceptance on the cancer hospital's worklist");
        Assert.Equal(("inbound", 2, "3.0"), (accepted.Direction, accepted.Version, accepted.BusinessStatus));
        var heard = await municipalDesk.WaitForAsync(c => c.ReferralId == referralId && c.Status == "accepted", "the acceptance on the municipal worklist");
        Assert.Equal(("outbound", 3, "3.0"), (heard.Direction, heard.Version, heard.BusinessStatus));

        Assert.DoesNotContain(cancerDesk.Referrals, c => c.Status == "completed");
        Assert.Equal(["received", "accepted"], cancerDesk.Referrals.Where(c => c.ReferralId == referralId).Select(c => c.Status));
        Assert.Equal(["requested", "received", "accepted"], municipalDesk.Referrals.Where(c => c.ReferralId == referralId).Select(c => c.Status));
        Assert.Empty(outsider.Referrals);
        Assert.Empty(outsider.Matches);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_connection_without_a_valid_token_is_refused_with_401_and_one_that_may_not_read_tasks_with_403()
    {
        _nodes.StartCancerNode();
        var anonymous = await Assert.ThrowsAsync<HttpRequestException>(() => WorklistListener.ConnectAsync(_nodes.CancerUrl, null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var forged = await Assert.ThrowsAsync<HttpRequestException>(() => WorklistListener.ConnectAsync(_nodes.CancerUrl, "not.a.token", inQueryString: true));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        // A token from the other node's issuer is not valid here.
        var foreign = await Assert.ThrowsAsync<HttpRequestException>(async () =>
            await WorklistListener.ConnectAsync(_nodes.CancerUrl, await _nodes.UserTokenAsync(_nodes.MunicipalNode, "coordinator")));
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);

        var patientsOnly = await _nodes.CancerNode.TokenAsync("scripts", "scripts-demo-secret", "system/Patient.rs");
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => WorklistListener.ConnectAsync(_nodes.CancerUrl, patientsOnly));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_connection_is_closed_when_its_token_expires()
    {
        var port = TwoNodes.FreePort();
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Authentication:AccessTokenLifetime"] = "00:00:05" });
        node.UseKestrel(port);
        node.StartServer();
        await using var desk = await WorklistListener.ConnectAsync($"http://127.0.0.1:{port}", await node.TokenAsync("scripts", "scripts-demo-secret"));

        var closed = await System.Threading.Tasks.Task.WhenAny(desk.Closed, System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(desk.Closed, closed);
    }

    public void Dispose() => _nodes.Dispose();
}
