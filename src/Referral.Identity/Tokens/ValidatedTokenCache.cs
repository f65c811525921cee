using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Referral.Identity.Tokens;

/// <summary>
/// Validates bearer tokens like <see cref="JsonWebTokenHandler"/> and remembers each valid one until it expires (at
/// most <see cref="MaxAge"/>), so a client that sends the same token on every request pays for parsing it and checking
/// its signature once, not on every request (on a busy node that was a tenth of a read's work). Only valid results are
/// kept: a bad token is checked, and refused, every time. Revocation is checked after this on every request
/// (<see cref="RevocationCheck"/>), so a remembered token that is revoked is still refused.
/// </summary>
public sealed class ValidatedTokenCache : JsonWebTokenHandler, IDisposable
{
    /// <summary>The longest a validation is reused, so a change of signing keys or validation settings takes effect soon.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly MemoryCache _valid = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly TimeProvider _clock;

    public ValidatedTokenCache(TimeProvider clock)
    {
        _clock = clock;
        // Keep claim names as issued (sub, role, scope), as the access policy reads them.
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        // Keyed on the token alone: with an external authority the handler passes fresh parameters on every request
        // (the issuer's current keys); MaxAge bounds how long a key the issuer has since withdrawn is still trusted.
        if (_valid.TryGetValue(token, out TokenValidationResult? known) && known is not null)
        {
            return known;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated)
        {
            var now = _clock.GetUtcNow();
            var expires = new DateTimeOffset(validated.ValidTo, TimeSpan.Zero);
            var until = expires < now + MaxAge ? expires : now + MaxAge;
            if (until > now)
            {
                _valid.Set(token, result, new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = 1 });
            }
        }

        return result;
    }

    public void Dispose() => _valid.Dispose();
}
