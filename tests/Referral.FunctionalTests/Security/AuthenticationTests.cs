using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>Who may call at all: tokens from the embedded issuer, and every way a token can be wrong.</summary>
public sealed class AuthenticationTests : IClassFixture<AuthenticationTests.Node>
{
    /// <summary>A node that looks up revocation on every request, so a revoked token fails at once.</summary>
    public sealed class Node : IDisposable
    {
        public NodeFactory Factory { get; } = new("Sqlite", new Dictionary<string, string?> { ["Authentication:RevocationCheckInterval"] = "00:00:00" });

        public void Dispose() => Factory.Dispose();
    }

    private readonly NodeFactory _node;

    public AuthenticationTests(Node node) => _node = node.Factory;

    [Fact]
    public async System.Threading.Tasks.Task A_request_without_a_token_gets_401_with_an_OperationOutcome_and_a_bearer_challenge()
    {
        using var client = _node.CreateAnonymousClient();
        using var response = await client.GetAsync("/fhir/Patient");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.Login, outcome.Issue[0].Code);
    }

    [Theory]
    [InlineData("/fhir/metadata")]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/jwks")]
    [InlineData("/.well-known/smart-configuration")]
    [InlineData("/health")]
    public async System.Threading.Tasks.Task Metadata_discovery_and_health_are_anonymous(string path)
    {
        using var client = _node.CreateAnonymousClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_CapabilityStatement_declares_SMART_security_with_the_issuers_oauth_uris()
    {
        using var client = _node.CreateAnonymousClient();
        var statement = await (await client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();

        var security = statement.Rest.Single().Security;
        Assert.Equal("SMART-on-FHIR", security.Service.Single().Coding[0].Code);
        var uris = security.GetExtension("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        Assert.Equal($"{NodeFactory.Issuer}connect/token", ((FhirUri)uris.GetExtension("token").Value).Value);
    }

    [Fact]
    public async System.Threading.Tasks.Task Smart_configuration_names_the_token_and_authorize_endpoints_and_v2_scopes()
    {
        using var client = _node.CreateAnonymousClient();
        var smart = JsonDocument.Parse(await client.GetStringAsync("/.well-known/smart-configuration")).RootElement;

        Assert.Equal($"{NodeFactory.Issuer}connect/token", smart.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{NodeFactory.Issuer}connect/authorize", smart.GetProperty("authorization_endpoint").GetString());
        Assert.Contains("permission-v2", smart.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("S256", smart.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(c => c.GetString()));
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "garbage", "not-a-jwt" },
        { "three dots", "a.b.c" },
        { "truncated", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async System.Threading.Tasks.Task A_malformed_token_gets_401(string name, string token)
    {
        Assert.NotEmpty(name);
        using var client = _node.CreateClient(token);
        using var response = await client.GetAsync("/fhir/Patient");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_unsigned_token_with_algorithm_none_gets_401()
    {
        var token = TokenFlows.Forge(null, NodeFactory.Issuer, DateTime.UtcNow.AddMinutes(5), TokenFlows.AdminClaims);
        Assert.Contains("\"alg\":\"none\"", System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])), StringComparison.Ordinal);

        await AssertRefusedAsync(token);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_token_signed_by_another_key_gets_401()
    {
        using var rsa = RSA.Create(2048);
        await AssertRefusedAsync(TokenFlows.Forge(new RsaSecurityKey(rsa), NodeFactory.Issuer, DateTime.UtcNow.AddMinutes(5), TokenFlows.AdminClaims));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_token_from_another_issuer_gets_401_even_with_the_right_key()
    {
        await AssertRefusedAsync(TokenFlows.Forge(TokenFlows.NodeKey(_node), "http://evil.example/", DateTime.UtcNow.AddMinutes(5), TokenFlows.AdminClaims));
    }

    [Fact]
    public async System.Threading.Tasks.Task An_expired_token_gets_401_saying_it_expired()
    {
        var token = TokenFlows.Forge(TokenFlows.NodeKey(_node), NodeFactory.Issuer, DateTime.UtcNow.AddMinutes(-5), TokenFlows.AdminClaims);
        using var client = _node.CreateClient(token);
        using var response = await client.GetAsync("/fhir/Patient");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (await response.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_token_signed_with_the_node_key_for_the_right_issuer_is_accepted()
    {
        // The control for the three refusals above: the same forged claims pass when key, issuer and expiry are right.
        using var client = _node.CreateClient(TokenFlows.Forge(TokenFlows.NodeKey(_node), NodeFactory.Issuer, DateTime.UtcNow.AddMinutes(5), TokenFlows.AdminClaims));
        using var response = await client.GetAsync("/fhir/Patient");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Client_credentials_tokens_last_the_configured_lifetime_and_carry_role_organization_and_scope()
    {
        var token = new JsonWebToken(await _node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));

        Assert.Equal(TimeSpan.FromMinutes(30), token.ValidTo - token.IssuedAt);
        Assert.Equal(NodeFactory.Issuer, token.Issuer);
        Assert.Equal("partner-node", token.GetClaim("role").Value);
        Assert.Equal("Organization/cancer-hospital", token.GetClaim("organization").Value);
        Assert.Equal("system/*.cruds", token.GetClaim("scope").Value);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_revoked_token_gets_401_on_its_next_use()
    {
        var token = await _node.TokenAsync("scripts", "scripts-demo-secret");
        using var client = _node.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/fhir/Patient")).StatusCode);

        using var anonymous = _node.CreateAnonymousClient();
        using var revoke = await anonymous.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type_hint"] = "access_token",
            ["client_id"] = "scripts",
            ["client_secret"] = "scripts-demo-secret",
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/fhir/Patient")).StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_wrong_client_secret_gets_no_token()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _node.TokenAsync("scripts", "wrong"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_scope_the_client_may_not_have_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret", "user/*.cruds"));
        Assert.Contains("invalid_scope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_narrower_scope_narrows_what_the_token_may_do()
    {
        using var client = _node.CreateClient(await _node.TokenAsync("scripts", "scripts-demo-secret", "system/Patient.rs"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/fhir/Patient")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/fhir/Observation")).StatusCode);
        using var create = await client.PostAsync("/fhir/Patient", FhirClient.Body(new Patient()));
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, (await create.ReadAsync<OperationOutcome>()).Issue[0].Code);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_user_signs_in_with_code_and_pkce_and_gets_a_token_for_their_role()
    {
        var response = await TokenFlows.SignInAsync(_node, "doctor", "doctor-demo");
        var token = new JsonWebToken(response.GetProperty("access_token").GetString());

        Assert.Equal("doctor", token.GetClaim("role").Value);
        Assert.Equal("Practitioner/dr-wang", token.GetClaim("fhirUser").Value);
        Assert.True(response.TryGetProperty("id_token", out _));
        using var client = _node.CreateClient(token.EncodedToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/fhir/Patient")).StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_wrong_password_is_refused_on_the_login_page()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => TokenFlows.SignInAsync(_node, "doctor", "not-the-password"));
    }

    [Fact]
    public async System.Threading.Tasks.Task An_authorization_request_without_pkce_is_refused()
    {
        using var browser = TokenFlows.Browser(_node);
        using var response = await browser.GetAsync(
            $"/connect/authorize?client_id=web&response_type=code&redirect_uri={Uri.EscapeDataString(TokenFlows.WebRedirect)}&scope=openid&state=x");

        // OpenIddict answers at the redirect URI with an error (or a 400 page); never with a code.
        var location = response.Headers.Location?.ToString() ?? "";
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest || location.Contains("error=", StringComparison.Ordinal), $"{(int)response.StatusCode} {location}");
    }

    private async System.Threading.Tasks.Task AssertRefusedAsync(string token)
    {
        using var client = _node.CreateClient(token);
        using var response = await client.GetAsync("/fhir/Patient");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Login, (await response.ReadAsync<OperationOutcome>()).Issue[0].Code);
    }
}
