using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>A node with authentication off (the benchmarks' comparison node) still stores and searches, without tokens.</summary>
public sealed class OpenNodeTests
{
    [Fact]
    public async System.Threading.Tasks.Task With_authentication_off_writes_transactions_and_searches_work_without_a_token()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Authentication:Enabled"] = "false" });
        using var client = node.CreateAnonymousClient();

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry = [new Bundle.EntryComponent { Resource = new Patient { Name = [new HumanName { Family = "Open" }] }, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } }],
        };
        using var response = await client.PostAsync("/fhir", FhirClient.Body(bundle));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await client.SearchAsync("Patient?family=Open&_summary=count")).Total);
    }
}
