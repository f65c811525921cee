using System.Globalization;
using System.Security.Cryptography;

namespace Referral.Cli.Demo;

/// <summary>A demo user: the same user name and password on both nodes, a different person (and Practitioner) at each.</summary>
public sealed record DemoUser(string UserName, string Password, string Role, string DisplayName, string? Practitioner);

/// <summary>
/// One node of the demo alliance: the hospital, where it listens and keeps its files, its users, and the partner-node
/// client it signs in with at the other hospital (<see cref="ClientId"/>, with a secret made for this run).
/// </summary>
public sealed record DemoNode(
    string Organization, string Name, int Port, string DataDirectory, IReadOnlyList<DemoUser> Users, string ClientId, string ClientSecret)
{
    public string OrganizationId => Organization["Organization/".Length..];

    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Issuer => BaseUrl + "/";

    public string FhirBase => BaseUrl + "/fhir";

    public string TokenEndpoint => BaseUrl + "/connect/token";

    public string SignInPage => BaseUrl + "/account/login";
}

/// <summary>
/// The demo alliance: the municipal hospital and the cancer hospital on two loopback ports, each with its own SQLite
/// database, issuer, users and synthetic patients, trusting each other as partner nodes. <see cref="Settings"/> is
/// the whole configuration of a node, so nothing from an appsettings.json or the environment changes who it is.
/// </summary>
public sealed record DemoAlliance(DemoNode Municipal, DemoNode Cancer)
{
    public const int DefaultMunicipalPort = 5100;
    public const int DefaultCancerPort = 5200;
    public const string ScriptsClientId = "scripts";

    /// <summary>A fixed demo credential like the users' passwords, so scripts (and <c>referral import</c>) can be pointed at a demo node.</summary>
    public const string ScriptsClientSecret = "scripts-demo-secret";

    public const int PatientsPerNode = 50;

    public IReadOnlyList<DemoNode> Nodes => [Municipal, Cancer];

    /// <summary>The alliance on the given ports, with each node's files in its own subfolder of <paramref name="dataFolder"/>.</summary>
    public static DemoAlliance Create(string dataFolder, int municipalPort = DefaultMunicipalPort, int cancerPort = DefaultCancerPort)
    {
        var root = Path.GetFullPath(dataFolder);
        return new DemoAlliance(
            new DemoNode(
                "Organization/municipal-hospital", "市人民医院 Municipal Hospital", municipalPort, Path.Combine(root, "municipal-hospital"),
                Staff(("王医生 Dr Wang", "dr-wang"), ("李主任 Dr Li", "dr-li"), ("张协调员 Coordinator Zhang", "coordinator-zhang")),
                "municipal-hospital-node", NewSecret()),
            new DemoNode(
                "Organization/cancer-hospital", "省肿瘤医院 Provincial Cancer Hospital", cancerPort, Path.Combine(root, "cancer-hospital"),
                Staff(("陈医生 Dr Chen", "dr-chen"), ("周主任 Dr Zhou", "dr-zhou"), ("刘协调员 Coordinator Liu", "coordinator-liu")),
                "cancer-hospital-node", NewSecret()));
    }

    public DemoNode PartnerOf(DemoNode node) => node == Municipal ? Cancer : Municipal;

    /// <summary>The configuration of <paramref name="node"/>: who it is, where it listens, its issuer, users and clients, its partner.</summary>
    public IReadOnlyDictionary<string, string?> Settings(DemoNode node)
    {
        var partner = PartnerOf(node);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = node.BaseUrl,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            // Every token request would take eight lines.
            ["Logging:LogLevel:OpenIddict"] = "Warning",
            // "No XML encryptor configured": true and expected for demo keys in the demo's data folder.
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            // Two nodes would each say "Application started. Press Ctrl+C" and their content root; the demo prints its own table.
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Storage:Provider"] = "Sqlite",
            ["Storage:DataDirectory"] = node.DataDirectory,
            ["DemoData:Seed"] = "true",
            ["DemoData:Patients"] = PatientsPerNode.ToString(CultureInfo.InvariantCulture),
            // The cancer hospital keeps a green channel of outpatient slots for the municipal hospital's referrals.
            ["DemoData:ReservedSlots"] = node == Cancer ? "4" : "0",
            ["Node:Organization"] = node.Organization,
            ["Node:Name"] = node.Name,
            ["Authentication:Issuer"] = node.Issuer,
        };

        for (var i = 0; i < node.Users.Count; i++)
        {
            var user = node.Users[i];
            var key = $"Identity:Users:{i.ToString(CultureInfo.InvariantCulture)}:";
            settings[key + "UserName"] = user.UserName;
            settings[key + "Password"] = user.Password;
            settings[key + "DisplayName"] = user.DisplayName;
            settings[key + "Role"] = user.Role;
            settings[key + "Practitioner"] = user.Practitioner;
        }

        AddClient(settings, 0, "web", "Referral web app", secret: null, role: null, organization: null, ["openid", "fhirUser", "offline_access", "user/*.cruds"]);
        settings["Identity:Clients:0:RedirectUris:0"] = node.BaseUrl + "/signin-oidc";
        settings["Identity:Clients:0:PostLogoutRedirectUris:0"] = node.BaseUrl + "/";
        // The other node calls this one with its own client, acting for its own hospital.
        AddClient(settings, 1, partner.ClientId, $"{partner.Name} (partner node)", partner.ClientSecret, "partner-node", partner.Organization, ["system/*.cruds"]);
        AddClient(settings, 2, ScriptsClientId, "Import and admin scripts", ScriptsClientSecret, "admin", organization: null, ["system/*.cruds"]);

        settings["Alliance:Partners:0:Organization"] = partner.Organization;
        settings["Alliance:Partners:0:Name"] = partner.Name;
        settings["Alliance:Partners:0:FhirBase"] = partner.FhirBase;
        settings["Alliance:Partners:0:TokenEndpoint"] = partner.TokenEndpoint;
        settings["Alliance:Partners:0:ClientId"] = node.ClientId;
        settings["Alliance:Partners:0:ClientSecret"] = node.ClientSecret;
        return settings;
    }

    private static void AddClient(
        Dictionary<string, string?> settings, int index, string clientId, string displayName, string? secret, string? role, string? organization, string[] scopes)
    {
        var key = $"Identity:Clients:{index.ToString(CultureInfo.InvariantCulture)}:";
        settings[key + "ClientId"] = clientId;
        settings[key + "ClientSecret"] = secret;
        settings[key + "DisplayName"] = displayName;
        settings[key + "Role"] = role;
        settings[key + "Organization"] = organization;
        for (var i = 0; i < scopes.Length; i++)
        {
            settings[key + "Scopes:" + i.ToString(CultureInfo.InvariantCulture)] = scopes[i];
        }
    }

    private static DemoUser[] Staff((string Name, string Id) doctor, (string Name, string Id) specialist, (string Name, string Id) coordinator) =>
    [
        new("doctor", "doctor-demo", "doctor", doctor.Name, $"Practitioner/{doctor.Id}"),
        new("specialist", "specialist-demo", "specialist", specialist.Name, $"Practitioner/{specialist.Id}"),
        new("coordinator", "coordinator-demo", "coordinator", coordinator.Name, $"Practitioner/{coordinator.Id}"),
        new("admin", "admin-demo", "admin", "系统管理员 Administrator", null),
    ];

    /// <summary>A partner-node secret for this run only: never written to a file.</summary>
    private static string NewSecret() => RandomNumberGenerator.GetHexString(40, lowercase: true);
}
