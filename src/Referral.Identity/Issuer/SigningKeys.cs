using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Referral.Identity.Issuer;

/// <summary>
/// The embedded issuer's RSA keys, generated at first start into <c>{DataDirectory}/keys</c> (owner-only permissions)
/// and reused after, so tokens survive restarts. They are node-local state and never part of the repository.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(RsaSecurityKey signing, RsaSecurityKey encryption)
    {
        Signing = signing;
        Encryption = encryption;
    }

    /// <summary>Signs access and identity tokens (RS256); published in the JWKS.</summary>
    public RsaSecurityKey Signing { get; }

    /// <summary>Encrypts the issuer's own artefacts (authorization codes, refresh tokens); never leaves the node.</summary>
    public RsaSecurityKey Encryption { get; }

    public static SigningKeys LoadOrCreate(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "keys");
        Directory.CreateDirectory(folder);
        return new SigningKeys(Load(Path.Combine(folder, "signing-key.pem")), Load(Path.Combine(folder, "encryption-key.pem")));
    }

    private static RsaSecurityKey Load(string path)
    {
        if (!File.Exists(path))
        {
            using var fresh = RSA.Create(2048);
            try
            {
                // CreateNew: when two processes start on one data directory, the second reads the first one's key.
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                using var writer = new StreamWriter(file);
                writer.Write(fresh.ExportRSAPrivateKeyPem());
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        var key = new RsaSecurityKey(rsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }
}
