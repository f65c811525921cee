using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Identity.Issuer;

namespace Referral.Identity.Tokens;

/// <summary>
/// Validates bearer tokens (JWT) on every protected endpoint: against the embedded issuer's own key, or the external
/// authority's published keys. A missing, malformed, expired, revoked or foreign token is a 401 OperationOutcome.
/// </summary>
public static class BearerTokenSetup
{
    /// <summary>Where the node's SignalR hubs are mapped (<c>/hubs/…</c>): the only paths that take a token in the query string.</summary>
    public const string HubPathPrefix = "/hubs";

    public static void Configure(JwtBearerOptions o, NodeAuthenticationOptions auth, SigningKeys? keys, Uri? issuer, ValidatedTokenCache tokens)
    {
        // Keep claim names as issued (sub, role, scope): the access policy reads them by their JWT names.
        o.MapInboundClaims = false;
        o.TokenHandlers.Clear();
        o.TokenHandlers.Add(tokens);
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = auth.Audience,
            NameClaimType = "name",
            RoleClaimType = auth.RoleClaim,
            ClockSkew = TimeSpan.FromSeconds(30),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
        };
        if (keys is not null && issuer is not null)
        {
            o.TokenValidationParameters.ValidIssuer = issuer.AbsoluteUri;
            o.TokenValidationParameters.IssuerSigningKey = keys.Signing;
        }
        else
        {
            o.Authority = auth.Authority;
            o.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        }

        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                // Browsers cannot set headers on WebSocket or Server-Sent Events requests, so SignalR clients send the token
                // as access_token in the query string; it is accepted there on hub paths only.
                if (context.Request.Path.StartsWithSegments(HubPathPrefix) && string.IsNullOrEmpty(context.Request.Headers.Authorization)
                    && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                {
                    context.Token = token;
                }

                return System.Threading.Tasks.Task.CompletedTask;
            },
            OnTokenValidated = async context =>
            {
                if (keys is null || context.Principal?.FindFirst(RevocationCheck.TokenIdClaim)?.Value is not { } tokenId)
                {
                    return;
                }

                var services = context.HttpContext.RequestServices;
                var check = services.GetRequiredService<RevocationCheck>();
                if (!await check.IsValidAsync(tokenId, services, context.HttpContext.RequestAborted))
                {
                    context.Fail("The access token was revoked.");
                }
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var message = context.AuthenticateFailure switch
                {
                    SecurityTokenExpiredException => "The access token has expired.",
                    null when string.IsNullOrEmpty(context.Request.Headers.Authorization) => "This endpoint needs a bearer access token (Authorization: Bearer …).",
                    null => "The access token was not accepted.",
                    _ => "The access token is not valid here (bad signature, issuer, audience or algorithm, or revoked).",
                };
                context.Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(context.Request.Headers.Authorization)
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\"";
                await FhirResult.Outcome(StatusCodes.Status401Unauthorized, new OperationOutcome
                {
                    Issue = [FhirException.Issue(OperationOutcome.IssueType.Login, message, null)],
                }).ExecuteAsync(context.HttpContext);
            },
        };
    }
}
