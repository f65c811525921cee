using System.Globalization;
using System.Security.Cryptography;

namespace Referral.Tests;

/// <summary>
/// The two hospitals of the alliance as two <see cref="NodeProcess"/>es on free loopback ports, each with its own
/// SQLite data directory and issuer, trusting each other as partner nodes (the same shape as the CLI's demo alliance:
/// each node registers the other's partner-node client, with a secret made for this run, and names it under
/// <c>Alliance:Partners</c>). No demo data; rate limiting off, since the callers are load drivers.
/// </summary>
internal sealed class AllianceProcesses : IAsyncDisposable
{
    public const string Municipal = "Organization/municipal-hospital";
    public const string Cancer = "Organization/cancer-hospital";

    /// <summary>The admin script client of the node's configuration (src/Referral.Web/appsettings.json, Identity:Clients).</summary>
    public const string ScriptsClientId = "scripts";
    public const string ScriptsClientSecret = "scripts-demo-secret";

    private AllianceProcesses(NodeProcess municipal, NodeProcess cancer, string root)
    {
        MunicipalNode = municipal;
        CancerNode = cancer;
        Root = root;
    }

    public NodeProcess MunicipalNode { get; }

    public NodeProcess CancerNode { get; }

    /// <summary>The folder holding both nodes' data directories (deleted on dispose).</summary>
    public string Root { get; }

    public IReadOnlyList<NodeProcess> Nodes => [MunicipalNode, CancerNode];

    /// <summary>Where a node's SQLite FHIR store is (the default <c>Storage:SqliteFileName</c>).</summary>
    public string FhirDatabase(NodeProcess node) => Path.Combine(Root, node == MunicipalNode ? "municipal" : "cancer", "fhir.db");

    /// <summary>The two nodes, configured but not started.</summary>
    /// <param name="webDll">The built <c>Referral.Web.dll</c>.</param>
    /// <param name="settings">Settings for both nodes (configuration keys with <c>:</c>), over the defaults below.</param>
    public static AllianceProcesses Create(string webDll, IReadOnlyDictionary<string, string>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("referral-alliance-").FullName;
        var (municipalPort, cancerPort) = (NodeProcess.FreeTcpPort(), NodeProcess.FreeTcpPort());
        var municipal = new Side(Municipal, "市人民医院 Municipal Hospital", municipalPort, Path.Combine(root, "municipal"), "municipal-hospital-node", NewSecret());
        var cancer = new Side(Cancer, "省肿瘤医院 Provincial Cancer Hospital", cancerPort, Path.Combine(root, "cancer"), "cancer-hospital-node", NewSecret());
        return new AllianceProcesses(
            new NodeProcess("municipal node", webDll, municipalPort, Environment(municipal, cancer, settings)),
            new NodeProcess("cancer node", webDll, cancerPort, Environment(cancer, municipal, settings)),
            root);
    }

    /// <summary>Starts both nodes (one after the other: they share two cores) and waits until both are healthy.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken ct)
    {
        await MunicipalNode.StartAsync(timeout, ct);
        await CancerNode.StartAsync(timeout, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await MunicipalNode.DisposeAsync();
        await CancerNode.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static Dictionary<string, string> Environment(Side node, Side partner, IReadOnlyDictionary<string, string>? settings)
    {
        var values = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = node.DataDirectory,
            ["DemoData:Seed"] = "false",
            ["RateLimiting:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Node:Organization"] = node.Organization,
            ["Node:Name"] = node.Name,
            ["Authentication:Issuer"] = node.BaseUrl + "/",
            // Index 1 is the partner-node client in appsettings.json: replaced whole by the partner's client of this run.
            ["Identity:Clients:1:ClientId"] = partner.ClientId,
            ["Identity:Clients:1:ClientSecret"] = partner.ClientSecret,
            ["Identity:Clients:1:DisplayName"] = partner.Name + " (partner node)",
            ["Identity:Clients:1:Role"] = "partner-node",
            ["Identity:Clients:1:Organization"] = partner.Organization,
            ["Identity:Clients:1:Scopes:0"] = "system/*.cruds",
            ["Alliance:Partners:0:Organization"] = partner.Organization,
            ["Alliance:Partners:0:Name"] = partner.Name,
            ["Alliance:Partners:0:FhirBase"] = partner.BaseUrl + "/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = partner.BaseUrl + "/connect/token",
            ["Alliance:Partners:0:ClientId"] = node.ClientId,
            ["Alliance:Partners:0:ClientSecret"] = node.ClientSecret,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        // Environment variables spell configuration sections with "__".
        return values.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
    }

    private static string NewSecret() => RandomNumberGenerator.GetHexString(40, lowercase: true);

    private sealed record Side(string Organization, string Name, int Port, string DataDirectory, string ClientId, string ClientSecret)
    {
        public string BaseUrl => "http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);
    }
}
