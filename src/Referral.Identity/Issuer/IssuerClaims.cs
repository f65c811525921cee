using System.Security.Claims;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Referral.Identity.Issuer;

/// <summary>The identities the embedded issuer puts into tokens: a signed-in user, or a machine client.</summary>
public static class IssuerClaims
{
    public static ClaimsIdentity ForUser(IssuerUser user, NodeOptions node, NodeAuthenticationOptions auth, IEnumerable<string> scopes)
    {
        var identity = New(auth);
        identity.SetClaim(Claims.Subject, user.UserName)
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaim(auth.RoleClaim, user.Role)
            .SetClaim(auth.OrganizationClaim, node.Organization);
        if (user.Practitioner is { } practitioner)
        {
            identity.SetClaim("fhirUser", practitioner);
        }

        return Finish(identity, auth, scopes);
    }

    public static ClaimsIdentity ForClient(IssuerClient client, NodeOptions node, NodeAuthenticationOptions auth, IEnumerable<string> scopes)
    {
        var identity = New(auth);
        identity.SetClaim(Claims.Subject, client.ClientId)
            .SetClaim(Claims.Name, client.DisplayName)
            .SetClaim(auth.RoleClaim, client.Role)
            .SetClaim(auth.OrganizationClaim, client.Organization ?? node.Organization);
        return Finish(identity, auth, scopes);
    }

    private static ClaimsIdentity New(NodeAuthenticationOptions auth) =>
        new(authenticationType: "embedded-issuer", nameType: Claims.Name, roleType: auth.RoleClaim);

    private static ClaimsIdentity Finish(ClaimsIdentity identity, NodeAuthenticationOptions auth, IEnumerable<string> scopes)
    {
        identity.SetScopes(scopes);
        identity.SetResources(auth.Audience);
        // Everything goes into the access token (the FHIR API reads it); the user's name also into the identity token.
        identity.SetDestinations(claim => claim.Type is Claims.Name or "fhirUser" or Claims.Subject
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return identity;
    }
}
