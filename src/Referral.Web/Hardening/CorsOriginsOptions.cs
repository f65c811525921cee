namespace Referral.Web.Hardening;

/// <summary>The browser apps allowed to call the API from another origin (configuration section <c>Cors</c>).</summary>
public sealed class CorsOriginsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins such as <c>https://referrals.hospital.example</c>; empty (the default) allows no cross-origin access.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>An origin is scheme, host and optional port only; "*" is refused because the API serves patient data.</summary>
    public static bool IsValidOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "https" or "http"
        && uri.AbsolutePath == "/" && !origin.EndsWith('/')
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo);
}
