using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Referral.Identity.Issuer;

/// <summary>Looks up the embedded issuer's configured users and clients.</summary>
public sealed class IssuerDirectory(IOptions<EmbeddedIssuerOptions> options)
{
    public IssuerUser? FindUser(string? userName) =>
        options.Value.Users.FirstOrDefault(u => string.Equals(u.UserName, userName, StringComparison.Ordinal));

    public IssuerClient? FindClient(string? clientId) =>
        options.Value.Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    /// <summary>The user when the password matches, compared in constant time so timing does not tell how much of it was right.</summary>
    public IssuerUser? CheckPassword(string? userName, string? password)
    {
        var user = FindUser(userName);
        if (user is null || password is null)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), Encoding.UTF8.GetBytes(password)) ? user : null;
    }
}
