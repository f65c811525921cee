using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Referral.Identity.Tokens;

/// <summary>
/// Whether an embedded-issuer access token is still valid in the issuer's token table (not revoked, not redeemed).
/// A valid answer is remembered for <see cref="NodeAuthenticationOptions.RevocationCheckInterval"/>, so a busy client
/// costs one lookup per interval rather than one per request.
/// </summary>
public sealed class RevocationCheck(IMemoryCache cache, IOptions<NodeAuthenticationOptions> options)
{
    /// <summary>The private claim OpenIddict puts the token entry id in.</summary>
    public const string TokenIdClaim = "oi_tkn_id";

    public async ValueTask<bool> IsValidAsync(string tokenId, IServiceProvider services, CancellationToken ct)
    {
        var key = (nameof(RevocationCheck), tokenId);
        if (cache.TryGetValue(key, out _))
        {
            return true;
        }

        // Resolved only on a cache miss: the token manager brings a DbContext with it.
        var tokens = services.GetRequiredService<IOpenIddictTokenManager>();
        var entry = await tokens.FindByIdAsync(tokenId, ct);
        var valid = entry is not null && await tokens.HasStatusAsync(entry, OpenIddictConstants.Statuses.Valid, ct);
        var interval = options.Value.RevocationCheckInterval;
        if (valid && interval > TimeSpan.Zero)
        {
            cache.Set(key, true, interval);
        }

        return valid;
    }
}
