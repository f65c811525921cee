using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The seeded demo hospital is the node's own: its staff see its patients, the partner only those who consented to sharing.</summary>
public sealed class DemoDataTests
{
    [Fact]
    public async System.Threading.Tasks.Task Seeded_patients_belong_to_the_nodes_hospital_and_the_partner_sees_only_those_who_consented()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["DemoData:Seed"] = "true",
            ["DemoData:Patients"] = "12",
            ["DemoData:SharedPatients"] = "2",
            ["Alliance:Partners:0:Organization"] = "Organization/cancer-hospital",
            ["Alliance:Partners:0:Name"] = "省肿瘤医院 Provincial Cancer Hospital",
            ["Alliance:Partners:0:FhirBase"] = "http://127.0.0.1:5200/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = "http://127.0.0.1:5200/connect/token",
            ["Alliance:Partners:0:ClientId"] = "municipal-hospital-node",
            ["Alliance:Partners:0:ClientSecret"] = "municipal-hospital-test-secret",
        });
        using var admin = node.CreateClient();
        using var doctor = node.CreateClient(await Security.TokenFlows.UserTokenAsync(node, "doctor"));
        using var partner = node.CreateClient(await node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));

        Assert.Equal(12, (await admin.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal(12, (await doctor.SearchAsync("Patient?_summary=count")).Total);
        var consenting = (await admin.SearchAsync("Consent?status=active&actor=Organization/cancer-hospital")).Matches<Consent>().Select(c => c.Patient.Reference).ToHashSet();
        var shared = (await partner.SearchAsync("Patient?_count=50")).Matches<Patient>().Select(p => $"Patient/{p.Id}").ToHashSet();
        Assert.InRange(consenting.Count, 2, 11);
        Assert.True(consenting.SetEquals(shared));
        Assert.Equal(["cancer-hospital", "municipal-hospital"], (await admin.SearchAsync("Organization")).Matches<Organization>().Select(o => o.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_seeded_patient_has_one_active_coverage_of_an_alliance_insurance_type()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["DemoData:Seed"] = "true", ["DemoData:Patients"] = "20" });
        using var admin = node.CreateClient();

        var coverages = (await admin.SearchAsync("Coverage?status=active&_count=100")).Matches<Coverage>().ToList();
        var patients = (await admin.SearchAsync("Patient?_count=100")).Matches<Patient>().Select(p => $"Patient/{p.Id}").Order(StringComparer.Ordinal);
        Assert.Equal(patients, coverages.Select(c => c.Beneficiary.Reference).Order(StringComparer.Ordinal));
        Assert.All(coverages, c => Assert.Contains(c.Type.Coding.Single().Code, new[] { "urban-employee", "urban-rural-resident", "self-pay" }));
        Assert.All(coverages.Where(c => c.Type.Coding[0].Code == "self-pay"), c => Assert.Equal(c.Beneficiary.Reference, c.Payor.Single().Reference));
        Assert.True(coverages.Select(c => c.Type.Coding[0].Code).Distinct().Count() > 1, "the demo patients are not all insured the same way");
    }

    [Fact]
    public async System.Threading.Tasks.Task A_node_without_partners_seeds_its_own_hospital_and_shares_nothing()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["DemoData:Seed"] = "true", ["DemoData:Patients"] = "5" });
        using var admin = node.CreateClient();
        using var partner = node.CreateClient(await node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));

        Assert.Equal(5, (await admin.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal(0, (await admin.SearchAsync("Consent?_summary=count")).Total);
        Assert.Equal(0, (await partner.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal("municipal-hospital", (await admin.SearchAsync("Organization")).Matches<Organization>().Single().Id);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_node_asked_for_a_green_channel_seeds_free_reserved_slots_for_five_working_days()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["DemoData:Seed"] = "true",
            ["DemoData:Patients"] = "1",
            ["DemoData:ReservedSlots"] = "3",
            ["Node:Organization"] = "Organization/cancer-hospital",
        });
        using var specialist = node.CreateClient(await Security.TokenFlows.UserTokenAsync(node, "specialist"));

        var slots = (await specialist.SearchAsync("Slot?_tag=http://fhir.alliance.example/CodeSystem/slot-reservation|alliance-referral&status=free&_count=50")).Matches<Slot>().ToList();
        Assert.Equal(15, slots.Count);
        Assert.All(slots, s => Assert.NotEqual(DayOfWeek.Saturday, s.Start!.Value.ToOffset(TimeSpan.FromHours(8)).DayOfWeek));
        Assert.Single(slots.Select(s => s.Schedule.Reference).Distinct());
        Assert.Equal(0, (await specialist.SearchAsync("Slot?_tag:not=http://fhir.alliance.example/CodeSystem/slot-reservation|alliance-referral&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_doctors_fhirUser_is_a_seeded_practitioner_of_the_hospital()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["DemoData:Seed"] = "true", ["DemoData:Patients"] = "1" });
        using var doctor = node.CreateClient(await Security.TokenFlows.UserTokenAsync(node, "doctor"));

        var role = (await doctor.SearchAsync("PractitionerRole?practitioner=Practitioner/dr-wang&_include=PractitionerRole:practitioner")).Matches<PractitionerRole>().Single();
        Assert.Equal("Organization/municipal-hospital", role.Organization.Reference);
        using var practitioner = await doctor.GetAsync("/fhir/Practitioner/dr-wang");
        Assert.Equal(System.Net.HttpStatusCode.OK, practitioner.StatusCode);
    }
}
