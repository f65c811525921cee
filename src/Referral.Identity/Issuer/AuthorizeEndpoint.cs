using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Referral.Identity.Issuer;

/// <summary>
/// <c>/connect/authorize</c> (authorization code + PKCE, validated by OpenIddict first): sends an unknown browser to
/// the login page, then issues the code for the signed-in user with the scopes the client may have.
/// </summary>
public static class AuthorizeEndpoint
{
    public static async Task<IResult> AuthorizeAsync(
        HttpContext context, IssuerDirectory directory, IOptions<NodeOptions> node, IOptions<NodeAuthenticationOptions> auth)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing.");

        var login = await context.AuthenticateAsync(LoginPage.Scheme);
        var user = login.Succeeded ? directory.FindUser(login.Principal.GetClaim(Claims.Subject)) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return TokenEndpoint.Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                context.Request.HasFormContentType ? [.. context.Request.Form] : [.. context.Request.Query]);
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [LoginPage.Scheme]);
        }

        var client = directory.FindClient(request.ClientId);
        var (granted, refused) = ScopeGrant.Resolve([.. request.GetScopes()], client?.Scopes ?? []);
        if (granted is null)
        {
            return TokenEndpoint.Refuse(Errors.InvalidScope, $"The scope '{refused}' is not allowed for this client.");
        }

        return Results.SignIn(
            new System.Security.Claims.ClaimsPrincipal(IssuerClaims.ForUser(user, node.Value, auth.Value, granted)),
            authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary><c>/connect/logout</c>: ends the login session and returns to the client's registered post-logout URI.</summary>
    public static async Task<IResult> EndSessionAsync(HttpContext context)
    {
        await context.SignOutAsync(LoginPage.Scheme);
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
