using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// The partner node sees and writes only the patients referred, consulted or consented to it; everything else is
/// answered as unknown, on read, search (with counts), _include, $everything and history alike.
/// </summary>
public abstract class OrganisationScopingTests(NodeFactory node)
{
    private readonly HttpClient _admin = node.CreateClient();
    private HttpClient? _partner;

    private async Task<HttpClient> PartnerAsync() =>
        _partner ??= node.CreateClient(await node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));

    [Fact]
    public async System.Threading.Tasks.Task The_partner_reads_referred_consented_and_its_own_patients_and_nothing_else()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);

        foreach (var visible in world.PartnerVisiblePatients)
        {
            Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/fhir/Patient/{visible}")).StatusCode);
        }

        foreach (var hidden in new[] { world.A.Id, world.D.Id })
        {
            using var response = await partner.GetAsync($"/fhir/Patient/{hidden}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(OperationOutcome.IssueType.NotFound, (await response.ReadAsync<OperationOutcome>()).Issue[0].Code);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Observation/{world.OA.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/fhir/Observation/{world.OB.Id}")).StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Concurrent_reads_by_two_organisations_each_get_their_own_answer()
    {
        // Reads run on compiled queries shared by every request of the same scope; requests in flight together hold
        // different pooled database contexts, and each must still get its own organisation's answer.
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);
        var hidden = world.A.Id;
        var visible = world.PartnerVisiblePatients.First();
        var reads = Enumerable.Range(0, 24).Select(async i =>
        {
            var (client, id, expected) = (i % 3) switch
            {
                0 => (partner, visible, HttpStatusCode.OK),
                1 => (partner, hidden, HttpStatusCode.NotFound),
                _ => (_admin, hidden, HttpStatusCode.OK),
            };
            using var response = await client.GetAsync($"/fhir/Patient/{id}");
            return (i, response.StatusCode, expected);
        });

        var answers = await System.Threading.Tasks.Task.WhenAll(reads);
        Assert.All(answers, a => Assert.Equal(a.expected, a.StatusCode));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_task_naming_no_patient_is_seen_only_by_the_organisations_it_is_between()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);
        Hl7.Fhir.Model.Task Between(string requester) => new()
        {
            Meta = world.Tagged(),
            Status = Hl7.Fhir.Model.Task.TaskStatus.Requested,
            Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
            Requester = new ResourceReference(requester),
            Owner = new ResourceReference("Organization/municipal-hospital"),
        };
        var withPartner = await _admin.CreateAsync(Between(ScopingWorld.Partner));
        var withOther = await _admin.CreateAsync(Between("Organization/other-hospital"));

        Assert.Equal([withPartner.Id], (await partner.SearchAsync($"Task?{world.TagQuery}")).Matches<Hl7.Fhir.Model.Task>().Select(t => t.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Task/{withOther.Id}")).StatusCode);
        Assert.Equal(2, (await _admin.SearchAsync($"Task?{world.TagQuery}&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Searches_and_their_counts_leave_out_what_the_partner_may_not_see()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);

        var found = await partner.SearchAsync($"Patient?{world.TagQuery}&_count=100");
        Assert.Equal(world.PartnerVisiblePatients.Order(), found.Matches<Patient>().Select(p => p.Id).Order());
        Assert.Equal(3, (await partner.SearchAsync($"Patient?{world.TagQuery}&_summary=count")).Total);
        // The node's admin sees its own four, not E, which the cancer hospital manages and has not shared.
        Assert.Equal(4, (await _admin.SearchAsync($"Patient?{world.TagQuery}&_summary=count")).Total);
        Assert.Equal([world.OB.Id], (await partner.SearchAsync($"Observation?{world.TagQuery}&_total=accurate")).Matches<Observation>().Select(o => o.Id));
    }

    [Fact]
    public async System.Threading.Tasks.Task Include_and_revinclude_never_bring_in_a_hidden_patient()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);

        var included = await partner.SearchAsync($"Observation?_id={world.OB.Id}&_include=Observation:focus&_include=Observation:subject");
        var patients = included.Entry.Select(e => e.Resource).OfType<Patient>().Select(p => p.Id).ToList();
        Assert.Equal([world.B.Id], patients);

        // The node's own doctor-level view of the same search does include A: the filter, not the data, made the difference.
        var adminView = await _admin.SearchAsync($"Observation?_id={world.OB.Id}&_include=Observation:focus&_include=Observation:subject");
        Assert.Equal(2, adminView.Entry.Select(e => e.Resource).OfType<Patient>().Count());

        var reverse = await partner.SearchAsync($"Patient?{world.TagQuery}&_revinclude=Observation:focus");
        Assert.DoesNotContain(reverse.Entry, e => e.Resource is Patient p && p.Id == world.A.Id);
    }

    [Fact]
    public async System.Threading.Tasks.Task Everything_and_history_of_a_hidden_patient_are_unknown_to_the_partner()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);

        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Patient/{world.A.Id}/$everything")).StatusCode);
        var everything = await partner.SearchAsync($"Patient/{world.B.Id}/$everything");
        Assert.Contains(everything.Entry, e => e.Resource.Id == world.OB.Id);
        Assert.DoesNotContain(everything.Entry, e => e.Resource.Id == world.A.Id || e.Resource.Id == world.OA.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Patient/{world.A.Id}/_history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Observation/{world.OA.Id}/_history/1")).StatusCode);
        var typeHistory = await partner.SearchAsync("Patient/_history?_count=500");
        Assert.DoesNotContain(typeHistory.Entry, e => e.Resource?.Id == world.A.Id || e.Resource?.Id == world.D.Id);
        Assert.Contains(typeHistory.Entry, e => e.Resource?.Id == world.B.Id);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_partner_writes_only_into_referred_patients_compartments()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);

        using var intoA = await partner.PostAsync("/fhir/Observation", FhirClient.Body(world.NewObservation(world.A, focus: null)));
        Assert.Equal(HttpStatusCode.Forbidden, intoA.StatusCode);
        using var intoB = await partner.PostAsync("/fhir/Observation", FhirClient.Body(world.NewObservation(world.B, focus: null)));
        Assert.Equal(HttpStatusCode.Created, intoB.StatusCode);

        var takeover = world.A;
        takeover.Name = [new HumanName { Family = "Hijacked" }];
        using var update = await partner.PutAsync($"/fhir/Patient/{world.A.Id}", FhirClient.Body(takeover));
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);

        // Nothing of the refused writes landed.
        Assert.Equal(1, (await _admin.SearchAsync($"Observation?subject=Patient/{world.A.Id}&_summary=count")).Total);
        Assert.Equal("Alpha", (await _admin.SearchAsync($"Patient?_id={world.A.Id}")).Matches<Patient>().Single().Name[0].Family);
    }

    [Fact]
    public async System.Threading.Tasks.Task Closing_the_referral_and_withdrawing_consent_end_read_access_but_the_partner_can_still_file_its_closing_records()
    {
        var partner = await PartnerAsync();
        var world = await ScopingWorld.CreateAsync(_admin, partner);
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/fhir/Patient/{world.B.Id}")).StatusCode);

        var referral = world.ReferralOfB;
        referral.Status = RequestStatus.Completed;
        using (var close = await _admin.PutAsync($"/fhir/ServiceRequest/{referral.Id}", FhirClient.Body(referral)))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        // The sharing Consent is a grant of its own: reading stays possible until it is withdrawn too.
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/fhir/Patient/{world.B.Id}")).StatusCode);
        var consent = world.ConsentOfB;
        consent.Status = Consent.ConsentState.Inactive;
        using (var withdraw = await _admin.PutAsync($"/fhir/Consent/{consent.Id}", FhirClient.Body(consent)))
        {
            Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync($"/fhir/Patient/{world.B.Id}")).StatusCode);
        using var closing = await partner.PostAsync("/fhir/Observation", FhirClient.Body(world.NewObservation(world.B, focus: null)));
        Assert.Equal(HttpStatusCode.Created, closing.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_node_cannot_file_a_patient_managed_by_another_organisation()
    {
        var foreign = new Patient { ManagingOrganization = new ResourceReference(ScopingWorld.Partner) };
        using var response = await _admin.PostAsync("/fhir/Patient", FhirClient.Body(foreign));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("outside the patient compartments", (await response.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_home_doctor_sees_every_patient_of_the_hospital()
    {
        var world = await ScopingWorld.CreateAsync(_admin, await PartnerAsync());
        using var doctor = node.CreateClient(await TokenFlows.UserTokenAsync(node, "doctor"));

        // A-D are the node's own (no managing organisation); E is managed by the cancer hospital and not shared back.
        var found = await doctor.SearchAsync($"Patient?{world.TagQuery}&_count=100");
        Assert.Equal(new[] { world.A.Id, world.B.Id, world.C.Id, world.D.Id }.Order(), found.Matches<Patient>().Select(p => p.Id).Order());
    }
}

public sealed class SqliteOrganisationScopingTests(SqliteNode node) : OrganisationScopingTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresOrganisationScopingTests(PostgresNode node) : OrganisationScopingTests(node.Factory), IClassFixture<PostgresNode>;
