using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referral.Cli.Demo;
using Referral.Workflow;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The demo alliance of <c>referral demo</c>, in this process on free loopback ports with its own data folder.</summary>
public sealed class DemoAllianceFixture : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "referral-tests", "demo-" + Guid.NewGuid().ToString("N"));

    public DemoAllianceHost Host { get; private set; } = null!;

    public DemoAlliance Alliance => Host.Alliance;

    public async System.Threading.Tasks.Task InitializeAsync()
    {
        var (municipal, cancer) = TwoFreeLoopbackPorts();
        Host = await DemoAllianceHost.StartAsync(DemoAlliance.Create(_data, municipal, cancer));
    }

    public async System.Threading.Tasks.Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>A client of <paramref name="node"/> carrying a token of its admin scripts client.</summary>
    public static async Task<HttpClient> AdminClientAsync(DemoNode node) =>
        Client(node.BaseUrl, await TokenAsync(node.TokenEndpoint, DemoAlliance.ScriptsClientId, DemoAlliance.ScriptsClientSecret));

    public static HttpClient Client(string baseUrl, string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static async Task<string> TokenAsync(string tokenEndpoint, string clientId, string secret)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Token request of {clientId} at {tokenEndpoint} failed with {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>Two distinct ports, both held until both are known, so they cannot come out the same.</summary>
    private static (int, int) TwoFreeLoopbackPorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }
}

/// <summary>
/// Two whole nodes seeding a hundred patient histories are heavy: the class runs alone, after the parallel tests,
/// so it does not starve their timing-sensitive cases (concurrent updates retried on conflict).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoAllianceCollection
{
    public const string Name = "Demo alliance";
}

/// <summary>The two demo nodes answer, trust each other as partners, and hold the synthetic patients the demo promises.</summary>
[Collection(DemoAllianceCollection.Name)]
public sealed class DemoAllianceTests(DemoAllianceFixture demo) : IClassFixture<DemoAllianceFixture>
{
    [Fact]
    public async System.Threading.Tasks.Task Both_nodes_answer_health_and_metadata_on_their_own_ports()
    {
        foreach (var node in demo.Alliance.Nodes)
        {
            using var anonymous = DemoAllianceFixture.Client(node.BaseUrl);
            Assert.Equal("Healthy", await anonymous.GetStringAsync("health"));
            using var metadata = await anonymous.GetAsync("fhir/metadata");
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
            var discovery = JsonDocument.Parse(await anonymous.GetStringAsync(".well-known/openid-configuration")).RootElement;
            Assert.Equal(node.Issuer, discovery.GetProperty("issuer").GetString());
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Each_nodes_partner_credentials_get_a_token_from_the_other_issuer_that_reads_its_organizations()
    {
        foreach (var node in demo.Alliance.Nodes)
        {
            var other = demo.Alliance.PartnerOf(node);
            var partner = Assert.Single(demo.Host.Services(node).GetRequiredService<IOptions<AllianceOptions>>().Value.Partners);
            Assert.Equal(other.Organization, partner.Organization);
            Assert.Equal(other.FhirBase, partner.FhirBase);

            var token = await DemoAllianceFixture.TokenAsync(partner.TokenEndpoint, partner.ClientId, partner.ClientSecret);
            using var asPartner = DemoAllianceFixture.Client(partner.FhirBase, token);
            using var response = await asPartner.GetAsync("Organization");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var organizations = (await response.ReadAsync<Bundle>()).Matches<Organization>().Select(o => o.Id).Order(StringComparer.Ordinal);
            Assert.Equal(["cancer-hospital", "municipal-hospital"], organizations);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_partner_node_sees_exactly_the_patients_who_consented_to_sharing_with_it()
    {
        foreach (var node in demo.Alliance.Nodes)
        {
            var other = demo.Alliance.PartnerOf(node);
            using var admin = await DemoAllianceFixture.AdminClientAsync(other);
            using var asPartner = DemoAllianceFixture.Client(other.BaseUrl, await DemoAllianceFixture.TokenAsync(other.TokenEndpoint, node.ClientId, node.ClientSecret));

            var consenting = (await admin.SearchAsync($"Consent?status=active&actor={node.Organization}&_count=100")).Matches<Consent>()
                .Select(c => c.Patient.Reference).ToHashSet();
            var visible = (await asPartner.SearchAsync("Patient?_count=100")).Matches<Patient>().Select(p => $"Patient/{p.Id}").ToHashSet();
            Assert.NotEmpty(visible);
            Assert.True(consenting.SetEquals(visible), $"{node.Organization} sees {visible.Count} patients of {other.Organization}, {consenting.Count} consented");
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Each_node_holds_fifty_patients_and_about_half_have_an_active_sharing_consent()
    {
        foreach (var node in demo.Alliance.Nodes)
        {
            var partner = demo.Alliance.PartnerOf(node);
            using var admin = await DemoAllianceFixture.AdminClientAsync(node);
            Assert.Equal(DemoAlliance.PatientsPerNode, (await admin.SearchAsync("Patient?_summary=count")).Total);

            var consents = (await admin.SearchAsync(
                $"Consent?status=active&scope=patient-privacy&category=http://loinc.org|59284-0&actor={partner.Organization}&_count=100")).Matches<Consent>().ToList();
            Assert.InRange(consents.Count, DemoAlliance.PatientsPerNode * 35 / 100, DemoAlliance.PatientsPerNode * 65 / 100);
            var consent = consents[0];
            Assert.Equal(Consent.ConsentProvisionType.Permit, consent.Provision.Type);
            var actor = Assert.Single(consent.Provision.Actor);
            Assert.Equal("IRCP", actor.Role.Coding.Single().Code);
            Assert.Equal(consents.Count, consents.Select(c => c.Patient.Reference).Distinct().Count());
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task The_alliance_patients_are_on_both_nodes_with_the_same_resident_ID_and_the_rest_on_one()
    {
        var byMpi = new List<Dictionary<string, string>>();
        foreach (var node in demo.Alliance.Nodes)
        {
            using var admin = await DemoAllianceFixture.AdminClientAsync(node);
            byMpi.Add((await admin.SearchAsync("Patient?_count=100")).Matches<Patient>().ToDictionary(
                p => p.Identifier.Single(i => i.System == "urn:alliance:mpi").Value!,
                p => p.Identifier.Single(i => i.System == "urn:oid:2.16.156.10011.1.5").Value!));
        }

        var shared = byMpi[0].Keys.Intersect(byMpi[1].Keys).ToList();
        Assert.Equal(10, shared.Count);
        Assert.All(shared, mpi => Assert.Equal(byMpi[0][mpi], byMpi[1][mpi]));
        Assert.Equal(10, byMpi[0].Values.Intersect(byMpi[1].Values).Count());
    }

    [Fact]
    public async System.Threading.Tasks.Task Each_nodes_demo_users_are_its_practitioners_with_roles_at_its_hospital()
    {
        foreach (var node in demo.Alliance.Nodes)
        {
            using var admin = await DemoAllianceFixture.AdminClientAsync(node);
            foreach (var user in node.Users.Where(u => u.Practitioner is not null))
            {
                using var practitioner = await admin.GetAsync($"fhir/{user.Practitioner}");
                Assert.Equal(HttpStatusCode.OK, practitioner.StatusCode);
                Assert.Equal(user.DisplayName, (await practitioner.ReadAsync<Practitioner>()).Name.Single().Text);
                var role = (await admin.SearchAsync($"PractitionerRole?practitioner={user.Practitioner}")).Matches<PractitionerRole>().Single();
                Assert.Equal(node.Organization, role.Organization.Reference);
            }
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_referral_of_an_alliance_patient_reaches_the_cancer_hospital_filed_under_the_patient_it_knows()
    {
        var (municipal, cancer) = (demo.Alliance.Municipal, demo.Alliance.Cancer);
        using var placer = await DemoAllianceFixture.AdminClientAsync(municipal);
        using var receiver = await DemoAllianceFixture.AdminClientAsync(cancer);
        const string mpi = "urn:alliance:mpi|MPI100000";
        var patient = (await placer.SearchAsync($"Patient?identifier={mpi}")).Matches<Patient>().Single();
        var known = (await receiver.SearchAsync($"Patient?identifier={mpi}")).Matches<Patient>().Single();

        // The seeded sharing Consent is what allows the release: the bundle carries none of its own.
        var referralId = Guid.NewGuid().ToString("N");
        var bundle = Workflow.Referrals.Submit(patient.Id, referralId);
        bundle.Entry.RemoveAll(e => e.Resource is Consent);
        using (var submitted = await placer.PostAsync("fhir", FhirClient.Body(bundle)))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        Hl7.Fhir.Model.Task? received = null;
        await Workflow.TwoNodes.EventuallyAsync(async () =>
            (received = (await receiver.SearchAsync($"Task?identifier={Workflow.Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().SingleOrDefault()) is not null,
            "the referral at the cancer hospital");
        Assert.Equal($"Patient/{known.Id}", received!.For.Reference);
        Assert.Equal(DemoAlliance.PatientsPerNode, (await receiver.SearchAsync("Patient?_summary=count")).Total);
    }
}
