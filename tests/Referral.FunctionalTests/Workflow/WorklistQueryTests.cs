using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>The inbound and outbound worklists as FHIR searches at two real nodes, under organisation scoping.</summary>
public abstract class WorklistQueryTests(string provider) : IDisposable
{
    private const string Referral = "identifier=http://fhir.alliance.example/identifier/referral|";
    private const string Open = "status=requested,received,accepted,on-hold,in-progress";
    private const string Related = "_include=Task:focus&_include=Task:patient&_sort=-_lastUpdated";
    private const string Direction = "http://fhir.alliance.example/StructureDefinition/referral-direction";

    private readonly TwoNodes _nodes = new(provider);

    private static string Inbound(string organization) => $"Task?{Referral}&owner={organization}&{Open}&{Related}";

    private static string Outbound(string organization) => $"Task?{Referral}&requester={organization}&{Open}&{Related}";

    [Fact]
    public async System.Threading.Tasks.Task Each_hospital_sees_exactly_its_inbound_and_outbound_referrals_newest_first_and_another_organisation_sees_none()
    {
        _nodes.StartCancerNode();
        using var doctor = _nodes.MunicipalNode.CreateClient(await _nodes.UserTokenAsync(_nodes.MunicipalNode, "doctor"));
        using var specialist = _nodes.CancerNode.CreateClient(await _nodes.UserTokenAsync(_nodes.CancerNode, "specialist"));
        using var cancerAdmin = _nodes.CancerNode.CreateClient();
        using var outsider = _nodes.CancerNode.CreateClient(await _nodes.CancerNode.TokenAsync(TwoNodes.OtherOrganizationClient, TwoNodes.OtherOrganizationSecret));

        // Up: r1 and r2 from the municipal hospital, r1 then accepted; down: r3 from the cancer hospital;
        // r4 up, but held at the cancer hospital on a conflicting patient (so a patient-match Task exists there).
        var r1 = await SubmitUpAsync(doctor, "110101196103146001");
        await ReceivedAtBothAsync(doctor, specialist, r1);
        var r2 = await SubmitUpAsync(doctor, "110101196103146002");
        await ReceivedAtBothAsync(doctor, specialist, r2);
        var accepted = await TaskAsync(specialist, r1);
        accepted.Status = TaskStatus.Accepted;
        using (var accept = await specialist.PutAsync($"/fhir/Task/{accepted.Id}", FhirClient.Body(accepted)))
        {
            Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        }

        await TwoNodes.EventuallyAsync(async () => (await TaskAsync(doctor, r1)).Status == TaskStatus.Accepted, "r1 accepted at the municipal hospital");
        var r3 = await SubmitDownAsync(specialist, "110101196103146003");
        await TwoNodes.EventuallyAsync(async () => (await FindAsync(doctor, r3))?.Status == TaskStatus.Received, "r3 at the municipal hospital");
        await TwoNodes.EventuallyAsync(async () => (await TaskAsync(specialist, r3)).Status == TaskStatus.Received, "r3 acknowledged");
        var conflicting = Referrals.Patient("110101196103146004", birthDate: "1950-02-02");
        conflicting.ManagingOrganization = null;
        await cancerAdmin.CreateAsync(conflicting);
        var r4 = await SubmitUpAsync(doctor, "110101196103146004");
        await TwoNodes.EventuallyAsync(async () => (await cancerAdmin.SearchAsync("Task?code=patient-match&_summary=count")).Total == 1, "r4 held");

        // The cancer hospital: inbound r1 (accepted last) then r2, with their ServiceRequests and patients; outbound r3.
        var inbound = await specialist.SearchAsync(Inbound(TwoNodes.Cancer));
        Assert.Equal([r1, r2], ReferralIds(inbound));
        Assert.Equal(2, inbound.Entry.Count(e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource is ServiceRequest));
        Assert.Equal(2, inbound.Entry.Count(e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource is Patient));
        Assert.Equal([r3], ReferralIds(await specialist.SearchAsync(Outbound(TwoNodes.Cancer))));
        Assert.Equal([r2], ReferralIds(await specialist.SearchAsync($"Task?{Referral}&owner={TwoNodes.Cancer}&status=received&{Related}")));

        // The municipal hospital: outbound r4 (requested, held there), r1, r2 as last changed; inbound r3.
        Assert.Equal([r4, r1, r2], ReferralIds(await doctor.SearchAsync(Outbound(TwoNodes.Municipal))));
        Assert.Equal([r3], ReferralIds(await doctor.SearchAsync(Inbound(TwoNodes.Municipal))));
        // Upward and downward worklists by the ServiceRequest's direction.
        Assert.Equal([r4, r3, r1, r2], ReferralIds(await doctor.SearchAsync($"Task?{Referral}&{Related}")));
        Assert.Equal([r4, r1, r2], ReferralIds(await doctor.SearchAsync($"Task?{Referral}&focus:ServiceRequest.direction=up&{Related}")));
        Assert.Equal([r3], ReferralIds(await doctor.SearchAsync($"Task?{Referral}&focus:ServiceRequest.direction=down&{Related}")));

        // An organisation party to none of them sees none of them, nor what they include.
        foreach (var query in new[] { Inbound(TwoNodes.Cancer), Outbound(TwoNodes.Cancer), Inbound("Organization/other-hospital"), $"Task?{Referral}&{Related}" })
        {
            Assert.Empty((await outsider.SearchAsync(query)).Entry);
        }
    }

    private static List<string> ReferralIds(Bundle bundle) =>
        [.. bundle.Matches<Hl7.Fhir.Model.Task>().Select(t => t.Identifier.Single(i => i.System == Referrals.System).Value)];

    private static async Task<string> SubmitUpAsync(HttpClient doctor, string residentId)
    {
        var patient = await doctor.CreateAsync(Referrals.Patient(residentId));
        var referralId = Guid.NewGuid().ToString("N");
        var bundle = Referrals.Submit(patient.Id, referralId);
        bundle.Entry.Select(e => e.Resource).OfType<ServiceRequest>().Single().Extension.Add(new Extension(Direction, new Code("up")));
        using var submitted = await doctor.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return referralId;
    }

    /// <summary>A referral placed by the cancer hospital with the municipal hospital (its patient, consent to share with the municipal hospital).</summary>
    private static async Task<string> SubmitDownAsync(HttpClient specialist, string residentId)
    {
        var patient = Referrals.Patient(residentId);
        patient.ManagingOrganization = new ResourceReference(TwoNodes.Cancer);
        patient = await specialist.CreateAsync(patient);
        var referralId = Guid.NewGuid().ToString("N");
        var bundle = Referrals.Submit(patient.Id, referralId);
        var resources = bundle.Entry.Select(e => e.Resource).ToList();
        resources.OfType<Consent>().Single().Provision.Actor[0].Reference = new ResourceReference(TwoNodes.Municipal);
        var request = resources.OfType<ServiceRequest>().Single();
        request.Performer = [new ResourceReference(TwoNodes.Municipal)];
        request.Extension.Add(new Extension(Direction, new Code("down")));
        var task = resources.OfType<Hl7.Fhir.Model.Task>().Single();
        (task.Requester, task.Owner) = (new ResourceReference(TwoNodes.Cancer), new ResourceReference(TwoNodes.Municipal));
        using var submitted = await specialist.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return referralId;
    }

    private static async System.Threading.Tasks.Task ReceivedAtBothAsync(HttpClient placer, HttpClient receiver, string referralId)
    {
        await TwoNodes.EventuallyAsync(async () => (await FindAsync(receiver, referralId))?.Status == TaskStatus.Received, "the referral at the receiver");
        await TwoNodes.EventuallyAsync(async () => (await TaskAsync(placer, referralId)).Status == TaskStatus.Received, "the acknowledgement at the placer");
    }

    private static async Task<Hl7.Fhir.Model.Task?> FindAsync(HttpClient client, string referralId) =>
        (await client.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().SingleOrDefault();

    private static async Task<Hl7.Fhir.Model.Task> TaskAsync(HttpClient client, string referralId) =>
        await FindAsync(client, referralId) ?? throw new InvalidOperationException($"No Task for referral {referralId}.");

    public void Dispose()
    {
        _nodes.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteWorklistQueryTests() : WorklistQueryTests("Sqlite");

public sealed class PostgresWorklistQueryTests() : WorklistQueryTests("PostgreSql");
