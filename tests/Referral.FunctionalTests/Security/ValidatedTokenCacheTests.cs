using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Referral.Identity.Tokens;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>Remembering a token's validation never lets it through longer, or under other keys, than validating it afresh would.</summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ValidatedTokenCache _cache = new(TimeProvider.System);

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = "https://issuer.example",
        ValidAudience = "fhir",
        IssuerSigningKey = key,
        ClockSkew = TimeSpan.Zero,
    };

    private string Token(DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://issuer.example",
        Audience = "fhir",
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        Expires = expires,
        Claims = new Dictionary<string, object> { ["sub"] = "scripts" },
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa), SecurityAlgorithms.RsaSha256),
    });

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_has_expired()
    {
        var parameters = Parameters(new RsaSecurityKey(_rsa));
        var token = Token(DateTime.UtcNow.AddSeconds(2));
        Assert.True((await _cache.ValidateTokenAsync(token, parameters)).IsValid);
        Assert.True((await _cache.ValidateTokenAsync(token, parameters)).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(3));

        var late = await _cache.ValidateTokenAsync(token, parameters);
        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(late.Exception);
    }

    [Fact]
    public async Task A_token_that_failed_is_checked_again_and_a_forged_one_is_never_remembered()
    {
        var token = Token(DateTime.UtcNow.AddMinutes(5));
        using var other = RSA.Create(2048);
        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(new RsaSecurityKey(other)))).IsValid);

        // The same string, now under the key it was signed with: valid, since the failure was not remembered.
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(new RsaSecurityKey(_rsa)))).IsValid);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _rsa.Dispose();
    }
}
