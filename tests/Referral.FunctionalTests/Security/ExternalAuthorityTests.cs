using System.Net;
using System.Text.Json;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// A node pointed at an external OIDC issuer (here another node's issuer on a loopback port, standing in for the
/// hospital's Keycloak or Entra ID) trusts that issuer's tokens, maps roles and organisation from the configured
/// claims, and runs no issuer of its own.
/// </summary>
public sealed class ExternalAuthorityTests : IDisposable
{
    private const string RoleClaim = "hospital_roles";
    private const string OrganizationClaim = "hospital_org";

    private readonly NodeFactory _issuer;
    private readonly NodeFactory _node;

    public ExternalAuthorityTests()
    {
        var port = Workflow.TwoNodes.FreePort();
        var authority = $"http://127.0.0.1:{port}/";
        _issuer = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Authentication:Issuer"] = authority,
            ["Authentication:RoleClaim"] = RoleClaim,
            ["Authentication:OrganizationClaim"] = OrganizationClaim,
        });
        _issuer.UseKestrel(port);
        _issuer.StartServer();
        _node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = authority,
            ["Authentication:RequireHttpsMetadata"] = "false",
            ["Authentication:RoleClaim"] = RoleClaim,
            ["Authentication:OrganizationClaim"] = OrganizationClaim,
        });
    }

    [Fact]
    public async System.Threading.Tasks.Task Tokens_of_the_external_issuer_are_accepted_with_their_mapped_role_and_organisation()
    {
        var token = await _issuer.TokenAsync("scripts", "scripts-demo-secret");
        using var client = _node.CreateClient(token);

        using var create = await client.PostAsync("/fhir/Patient", FhirClient.Body(new Hl7.Fhir.Model.Patient { Name = [new Hl7.Fhir.Model.HumanName { Family = "External" }] }));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal(1, (await client.SearchAsync("Patient?family=External&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_embedded_issuer_is_off_and_smart_configuration_points_at_the_authority()
    {
        using var anonymous = _node.CreateAnonymousClient();
        // No issuer endpoints: unknown routes (answered 401 without a token, so they reveal nothing).
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent([]))).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/.well-known/openid-configuration")).StatusCode);

        var smart = JsonDocument.Parse(await anonymous.GetStringAsync("/.well-known/smart-configuration")).RootElement;
        Assert.StartsWith(_issuer.ClientOptions.BaseAddress.ToString().Replace("localhost", "127.0.0.1", StringComparison.Ordinal), smart.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_token_of_the_nodes_own_kind_but_another_issuer_is_refused()
    {
        // A token the node would have issued itself, had it an issuer: signed with a key the authority never published.
        var forged = TokenFlows.Forge(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)), NodeFactory.Issuer, DateTime.UtcNow.AddMinutes(5), TokenFlows.AdminClaims);
        using var client = _node.CreateClient(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/fhir/Patient")).StatusCode);
    }

    public void Dispose()
    {
        _node.Dispose();
        _issuer.Dispose();
    }
}
