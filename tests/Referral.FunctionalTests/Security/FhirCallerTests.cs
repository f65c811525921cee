using System.Security.Claims;
using Referral.Identity;
using Referral.Identity.Access;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// The caller read from a token's identity is kept with that identity, and never stands for another token, or for the
/// same token read under other claim names.
/// </summary>
public sealed class FhirCallerTests
{
    private static ClaimsPrincipal Principal(ClaimsIdentity identity) => new(identity);

    private static ClaimsIdentity Identity(string subject, string role, string organization) => new(
        [
            new Claim("sub", subject), new Claim("role", role), new Claim("group", "admin"),
            new Claim("organization", organization), new Claim("scope", "user/*.rs"),
        ],
        authenticationType: "Bearer");

    [Fact]
    public void Each_request_with_the_same_validated_token_gets_the_caller_read_the_first_time()
    {
        var options = new NodeAuthenticationOptions();
        var identity = Identity("doctor-1", "doctor", "Organization/municipal-hospital");

        var first = FhirCaller.From(Principal(identity), options);
        var second = FhirCaller.From(Principal(identity), options);

        Assert.Same(first, second);
        Assert.Equal(["doctor"], second.Roles);
        Assert.Equal("municipal-hospital", second.OrganizationId);
    }

    [Fact]
    public void Another_token_is_read_from_its_own_claims()
    {
        var options = new NodeAuthenticationOptions();
        var doctor = FhirCaller.From(Principal(Identity("doctor-1", "doctor", "Organization/municipal-hospital")), options);
        var partner = FhirCaller.From(Principal(Identity("cancer-node", "partner-node", "Organization/cancer-hospital")), options);

        Assert.NotSame(doctor, partner);
        Assert.Equal("cancer-node", partner.Subject);
        Assert.Equal(["partner-node"], partner.Roles);
        Assert.NotEqual(doctor.ReadScopeKey, partner.ReadScopeKey);
    }

    [Fact]
    public void The_same_identity_under_another_role_claim_mapping_is_read_again()
    {
        var identity = Identity("doctor-1", "doctor", "Organization/municipal-hospital");
        var byRole = FhirCaller.From(Principal(identity), new NodeAuthenticationOptions());
        var byGroup = FhirCaller.From(Principal(identity), new NodeAuthenticationOptions { RoleClaim = "group" });

        Assert.Equal(["doctor"], byRole.Roles);
        Assert.Equal(["admin"], byGroup.Roles);
    }

    [Fact]
    public void An_anonymous_principal_is_never_remembered()
    {
        var options = new NodeAuthenticationOptions();
        var anonymous = new ClaimsIdentity();

        var caller = FhirCaller.From(Principal(anonymous), options);

        Assert.False(caller.IsAuthenticated);
        Assert.NotSame(caller, FhirCaller.From(Principal(anonymous), options));
    }
}
