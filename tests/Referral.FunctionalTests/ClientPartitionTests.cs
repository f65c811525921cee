using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Referral.Web.Hardening;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>Who a request is counted against: the authenticated client, else its address, else one shared bucket.</summary>
public sealed class ClientPartitionTests
{
    [Fact]
    public void The_client_id_claim_wins_over_the_subject_and_the_address() =>
        Assert.Equal("client:app-1", ClientPartition.Key(Context(IPAddress.Loopback, new Claim("sub", "user-9"), new Claim("client_id", "app-1"))));

    [Fact]
    public void The_subject_is_used_when_there_is_no_client_id()
    {
        Assert.Equal("client:user-9", ClientPartition.Key(Context(IPAddress.Loopback, new Claim("sub", "user-9"))));
        Assert.Equal("client:user-9", ClientPartition.Key(Context(IPAddress.Loopback, new Claim(ClaimTypes.NameIdentifier, "user-9"))));
    }

    [Fact]
    public void An_anonymous_request_is_counted_against_its_remote_address() =>
        Assert.Equal("ip:10.1.2.3", ClientPartition.Key(Context(IPAddress.Parse("10.1.2.3"))));

    [Fact]
    public void A_request_with_no_identity_and_no_address_shares_one_bucket() =>
        Assert.Equal(ClientPartition.Unknown, ClientPartition.Key(Context(null)));

    [Fact]
    public void A_client_named_like_an_address_does_not_share_that_address_bucket() =>
        Assert.NotEqual(
            ClientPartition.Key(Context(IPAddress.Parse("10.1.2.3"))),
            ClientPartition.Key(Context(null, new Claim("client_id", "10.1.2.3"))));

    private static DefaultHttpContext Context(IPAddress? address, params Claim[] claims)
    {
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, claims.Length > 0 ? "test" : null)) };
        context.Connection.RemoteIpAddress = address;
        return context;
    }
}
