using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Referral.Identity;

/// <summary>
/// <c>/.well-known/smart-configuration</c> (SMART App Launch 2.0): where to authorize and get tokens, and which
/// scopes and capabilities this node supports; for an external authority the endpoints come from its discovery document.
/// </summary>
public static class SmartConfigurationEndpoint
{
    private static readonly string[] Scopes =
    [
        "openid", "fhirUser", "offline_access",
        "patient/*.rs", "user/*.rs", "user/*.cruds", "system/*.rs", "system/*.cruds",
    ];

    private static readonly string[] Capabilities =
    [
        "launch-standalone", "client-public", "client-confidential-symmetric", "sso-openid-connect",
        "permission-patient", "permission-user", "permission-v1", "permission-v2",
    ];

    private static readonly string[] GrantTypes = ["authorization_code", "client_credentials", "refresh_token"];
    private static readonly string[] ClientAuthentication = ["client_secret_basic", "client_secret_post"];
    private static readonly string[] ResponseTypes = ["code"];
    private static readonly string[] CodeChallengeMethods = ["S256"];

    public static void MapSmartConfiguration(this IEndpointRouteBuilder endpoints, Uri? embeddedIssuer) =>
        endpoints.MapGet("/.well-known/smart-configuration", async (IOptionsMonitor<JwtBearerOptions> bearer, CancellationToken ct) =>
        {
            string issuer, authorize, token, jwks;
            string? revoke;
            if (embeddedIssuer is not null)
            {
                issuer = embeddedIssuer.AbsoluteUri;
                var root = issuer.TrimEnd('/');
                (authorize, token, revoke, jwks) = ($"{root}/connect/authorize", $"{root}/connect/token", $"{root}/connect/revoke", $"{root}/.well-known/jwks");
            }
            else
            {
                var options = bearer.Get(JwtBearerDefaults.AuthenticationScheme);
                var discovered = await options.ConfigurationManager!.GetConfigurationAsync(ct);
                (issuer, authorize, token, jwks) = (discovered.Issuer, discovered.AuthorizationEndpoint, discovered.TokenEndpoint, discovered.JwksUri);
                revoke = discovered.AdditionalData.TryGetValue("revocation_endpoint", out var r) ? r?.ToString() : null;
            }

            return Results.Json(new Dictionary<string, object?>
            {
                ["issuer"] = issuer,
                ["jwks_uri"] = jwks,
                ["authorization_endpoint"] = authorize,
                ["token_endpoint"] = token,
                ["revocation_endpoint"] = revoke,
                ["grant_types_supported"] = GrantTypes,
                ["token_endpoint_auth_methods_supported"] = ClientAuthentication,
                ["response_types_supported"] = ResponseTypes,
                ["code_challenge_methods_supported"] = CodeChallengeMethods,
                ["scopes_supported"] = Scopes,
                ["capabilities"] = Capabilities,
            });
        }).AllowAnonymous();
}
