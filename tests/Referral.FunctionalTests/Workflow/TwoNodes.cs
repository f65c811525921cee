using System.Net;
using System.Net.Sockets;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// The municipal hospital and the cancer hospital as two real nodes on loopback ports in one test host, trusting each
/// other as partners; the cancer hospital is started only when a test asks, so delivery while it is down is testable.
/// </summary>
public sealed class TwoNodes : IDisposable
{
    public const string Municipal = "Organization/municipal-hospital";
    public const string Cancer = "Organization/cancer-hospital";
    private const string MunicipalSecret = "municipal-node-test-secret";

    /// <summary>A client-credentials client of the cancer node acting for Organization/other-hospital (role coordinator).</summary>
    public const string OtherOrganizationClient = "other-hospital-desk";
    public const string OtherOrganizationSecret = "other-hospital-test-secret";

    private bool _cancerStarted;

    /// <param name="provider">The storage provider of both nodes.</param>
    /// <param name="cancerSettings">Settings of the cancer hospital's node beyond the partnership (e.g. its service levels).</param>
    public TwoNodes(string provider = "Sqlite", IReadOnlyDictionary<string, string?>? cancerSettings = null)
    {
        var (pm, pc) = (FreePort(), FreePort());
        var municipalUrl = MunicipalUrl = $"http://127.0.0.1:{pm}";
        var cancerUrl = CancerUrl = $"http://127.0.0.1:{pc}";
        MunicipalNode = new NodeFactory(provider, new Dictionary<string, string?>
        {
            ["Authentication:Issuer"] = municipalUrl + "/",
            ["Alliance:DispatchInterval"] = "00:00:00.100",
            ["Alliance:MaxRetryDelay"] = "00:00:01",
            ["Alliance:Partners:0:Organization"] = Cancer,
            ["Alliance:Partners:0:FhirBase"] = cancerUrl + "/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = cancerUrl + "/connect/token",
            ["Alliance:Partners:0:ClientId"] = "municipal-hospital-node",
            ["Alliance:Partners:0:ClientSecret"] = MunicipalSecret,
        });
        MunicipalNode.UseKestrel(pm);
        MunicipalNode.StartServer();
        CancerNode = new NodeFactory(provider, new Dictionary<string, string?>
        {
            ["Node:Organization"] = Cancer,
            ["Node:Name"] = "Provincial Cancer Hospital",
            ["Authentication:Issuer"] = cancerUrl + "/",
            ["Identity:Clients:3:ClientId"] = "municipal-hospital-node",
            ["Identity:Clients:3:ClientSecret"] = MunicipalSecret,
            ["Identity:Clients:3:DisplayName"] = "Municipal Hospital (partner node)",
            ["Identity:Clients:3:Role"] = "partner-node",
            ["Identity:Clients:3:Organization"] = Municipal,
            ["Identity:Clients:3:Scopes:0"] = "system/*.cruds",
            // A caller of an organisation that is party to nothing here, for the scoping tests.
            ["Identity:Clients:9:ClientId"] = OtherOrganizationClient,
            ["Identity:Clients:9:ClientSecret"] = OtherOrganizationSecret,
            ["Identity:Clients:9:DisplayName"] = "Another hospital's coordinator desk",
            ["Identity:Clients:9:Role"] = "coordinator",
            ["Identity:Clients:9:Organization"] = "Organization/other-hospital",
            ["Identity:Clients:9:Scopes:0"] = "system/*.cruds",
            ["Alliance:DispatchInterval"] = "00:00:00.100",
            ["Alliance:MaxRetryDelay"] = "00:00:01",
            ["Alliance:Partners:0:Organization"] = Municipal,
            ["Alliance:Partners:0:FhirBase"] = municipalUrl + "/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = municipalUrl + "/connect/token",
            ["Alliance:Partners:0:ClientId"] = "cancer-hospital-node",
            ["Alliance:Partners:0:ClientSecret"] = "cancer-hospital-demo-secret",
        }.Concat(cancerSettings ?? new Dictionary<string, string?>()).ToDictionary());
        CancerNode.UseKestrel(pc);
    }

    public NodeFactory MunicipalNode { get; }

    public NodeFactory CancerNode { get; }

    /// <summary>Where the municipal node listens (Kestrel), e.g. for SignalR clients.</summary>
    public string MunicipalUrl { get; }

    public string CancerUrl { get; }

    /// <summary>The access token of a demo user of <paramref name="node"/> (one of its roles), signed in through its login page as a browser would.</summary>
    public async Task<string> UserTokenAsync(NodeFactory node, string role)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(node == MunicipalNode ? MunicipalUrl : CancerUrl),
        };
        var (user, password) = Security.TokenFlows.DemoUsers[role];
        return (await Security.TokenFlows.SignInAsync(browser, user, password)).GetProperty("access_token").GetString()!;
    }

    public void StartCancerNode()
    {
        if (!_cancerStarted)
        {
            CancerNode.StartServer();
            _cancerStarted = true;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (delivery is asynchronous); fails after 30 s.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        MunicipalNode.Dispose();
        CancerNode.Dispose();
    }

    /// <summary>A loopback port free right now, for a node that must know its own URL before it starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
