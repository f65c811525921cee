using System.ComponentModel.DataAnnotations;

namespace Referral.Identity.Issuer;

/// <summary>
/// Users and clients of the embedded issuer (configuration section <c>Identity</c>). The embedded issuer serves the
/// demo alliance and development; production nodes point <c>Authentication:Authority</c> at the hospital's own issuer.
/// </summary>
public sealed class EmbeddedIssuerOptions
{
    public const string Section = "Identity";

    public List<IssuerUser> Users { get; set; } = [];

    public List<IssuerClient> Clients { get; set; } = [];
}

/// <summary>A person who signs in to the web app (authorization code + PKCE).</summary>
public sealed class IssuerUser
{
    [Required]
    public string UserName { get; set; } = "";

    [Required]
    public string Password { get; set; } = "";

    [Required]
    public string DisplayName { get; set; } = "";

    /// <summary>One of doctor, specialist, coordinator, admin.</summary>
    [Required]
    public string Role { get; set; } = "";

    /// <summary>The user's Practitioner, e.g. <c>Practitioner/dr-wang</c>, sent as the <c>fhirUser</c> claim.</summary>
    public string? Practitioner { get; set; }
}

/// <summary>
/// An OAuth client: a machine (partner node, scripts) using client credentials when it has no redirect URIs, or an
/// interactive app using authorization code + PKCE (public when it has no secret).
/// </summary>
public sealed class IssuerClient
{
    [Required]
    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    [Required]
    public string DisplayName { get; set; } = "";

    /// <summary>The role a machine client acts in (partner-node, admin); interactive clients act as their signed-in user.</summary>
    public string? Role { get; set; }

    /// <summary>The organisation a machine client acts for; defaults to the node's own.</summary>
    public string? Organization { get; set; }

    /// <summary>The scopes the client may be granted (SMART v2, e.g. <c>system/*.cruds</c>); a request for none gets them all.</summary>
    public List<string> Scopes { get; set; } = [];

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    public bool IsInteractive => RedirectUris.Count > 0;
}
