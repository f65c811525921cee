using System.Net;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>What only a real Kestrel server shows: the Server header it would add, and limiting by the real remote address.</summary>
public sealed class KestrelHostTests
{
    [Fact]
    public async System.Threading.Tasks.Task Kestrel_sends_no_Server_header()
    {
        using var node = new NodeFactory("Sqlite");
        node.UseKestrel(0);
        node.StartServer();
        using var client = node.CreateClient();

        using var response = await client.GetAsync("/fhir/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"), $"Server: {string.Join(",", response.Headers.Server)}");
    }
}
