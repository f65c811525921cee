using System.Net;
using Xunit;

namespace Referral.FunctionalTests.Workflow;

/// <summary>Scale-out of the live worklists through a real Redis server (<c>SignalR:Redis</c>).</summary>
public sealed class RedisBackplaneTests : IDisposable
{
    private readonly List<NodeFactory> _nodes = [];

    [Fact]
    public async System.Threading.Tasks.Task A_change_at_one_instance_reaches_clients_of_another_instance_of_the_node_but_not_another_hospitals_node()
    {
        var redis = RedisServer.Configuration;
        var writer = Node(redis, "Organization/municipal-hospital", kestrelPort: null);
        var (sibling, siblingUrl) = KestrelNode(redis, "Organization/municipal-hospital");
        var (otherHospital, otherUrl) = KestrelNode(redis, "Organization/cancer-hospital");
        await using var siblingDesk = await WorklistListener.ConnectAsync(siblingUrl, await sibling.TokenAsync("scripts", "scripts-demo-secret"));
        // Its staff are in the cancer hospital's group, which the municipal node's referral also names (inbound).
        await using var otherDesk = await WorklistListener.ConnectAsync(otherUrl, await otherHospital.TokenAsync("scripts", "scripts-demo-secret"));

        using var client = writer.CreateClient();
        var patient = await client.CreateAsync(Referrals.Patient("110101196103149101"));
        var referralId = Guid.NewGuid().ToString("N");
        using (var submitted = await client.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId))))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var heard = await siblingDesk.WaitForAsync(c => c.ReferralId == referralId, "the referral announced through Redis at the other instance");
        Assert.Equal(("requested", "outbound", 1), (heard.Status, heard.Direction, heard.Version));
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(otherDesk.Referrals);
    }

    private (NodeFactory Node, string Url) KestrelNode(string redis, string organization)
    {
        var port = TwoNodes.FreePort();
        return (Node(redis, organization, port), $"http://127.0.0.1:{port}");
    }

    private NodeFactory Node(string redis, string organization, int? kestrelPort)
    {
        var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Node:Organization"] = organization,
            ["SignalR:Redis"] = redis,
            // A partner that never answers: the referral is stored and announced; its delivery just waits.
            ["Alliance:Partners:0:Organization"] = organization == TwoNodes.Cancer ? TwoNodes.Municipal : TwoNodes.Cancer,
            ["Alliance:Partners:0:FhirBase"] = $"http://127.0.0.1:{TwoNodes.FreePort()}/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = $"http://127.0.0.1:{TwoNodes.FreePort()}/connect/token",
            ["Alliance:Partners:0:ClientId"] = "unused",
            ["Alliance:Partners:0:ClientSecret"] = "unused",
        });
        _nodes.Add(node);
        if (kestrelPort is { } port)
        {
            node.UseKestrel(port);
        }

        node.StartServer();
        return node;
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
    }
}
