using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The seeded demo hospital is the node's own: its staff see its patients, the partner none of them.</summary>
public sealed class DemoDataTests
{
    [Fact]
    public async System.Threading.Tasks.Task Seeded_patients_belong_to_the_nodes_hospital_and_are_hidden_from_the_partner()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["DemoData:Seed"] = "true", ["DemoData:Patients"] = "5" });
        using var admin = node.CreateClient();
        using var doctor = node.CreateClient(await Security.TokenFlows.UserTokenAsync(node, "doctor"));
        using var partner = node.CreateClient(await node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));

        Assert.Equal(5, (await admin.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal(5, (await doctor.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal(0, (await partner.SearchAsync("Patient?_summary=count")).Total);
        Assert.Equal("municipal-hospital", (await admin.SearchAsync("Organization")).Matches<Hl7.Fhir.Model.Organization>().Single().Id);
    }
}
