using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Referral.Identity.Issuer;

/// <summary>
/// <c>POST /connect/token</c> after OpenIddict has authenticated the client and validated the grant: builds the
/// token's identity for client credentials, and rebuilds it from the current user record for code and refresh grants
/// (so a changed role or a removed user takes effect at the next refresh).
/// </summary>
public static class TokenEndpoint
{
    public static async Task<IResult> ExchangeAsync(
        HttpContext context, IssuerDirectory directory, IOptions<NodeOptions> node, IOptions<NodeAuthenticationOptions> auth)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing.");

        if (request.IsClientCredentialsGrantType())
        {
            var client = directory.FindClient(request.ClientId);
            if (client is null || client.IsInteractive)
            {
                return Refuse(Errors.UnauthorizedClient, "This client may not use client credentials.");
            }

            var (granted, refused) = ScopeGrant.Resolve([.. request.GetScopes()], client.Scopes);
            if (granted is null)
            {
                return Refuse(Errors.InvalidScope, $"The scope '{refused}' is not allowed for this client.");
            }

            return SignIn(IssuerClaims.ForClient(client, node.Value, auth.Value, granted));
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = directory.FindUser(result.Principal?.GetClaim(Claims.Subject));
            if (user is null)
            {
                return Refuse(Errors.InvalidGrant, "The user no longer exists.");
            }

            return SignIn(IssuerClaims.ForUser(user, node.Value, auth.Value, result.Principal!.GetScopes()));
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static IResult SignIn(ClaimsIdentity identity) =>
        Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    public static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
