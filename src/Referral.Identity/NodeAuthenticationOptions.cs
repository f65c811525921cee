using System.ComponentModel.DataAnnotations;

namespace Referral.Identity;

/// <summary>
/// How callers are authenticated (configuration section <c>Authentication</c>). Without an <see cref="Authority"/> the
/// node runs its own OpenID Connect issuer; with one it trusts that external issuer only and the embedded one is off.
/// </summary>
public sealed class NodeAuthenticationOptions
{
    public const string Section = "Authentication";

    /// <summary>
    /// False switches authentication, access control and audit off entirely: only for measuring their cost in a
    /// benchmark, never for a node holding real records.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>An external OIDC issuer (e.g. the hospital's Keycloak or Entra ID); null runs the embedded issuer.</summary>
    public string? Authority { get; set; }

    /// <summary>The embedded issuer's URL as callers see it; defaults to the node's first listening URL.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) access tokens must be issued for.</summary>
    [Required]
    public string Audience { get; set; } = "referral-fhir";

    /// <summary>Claim carrying the caller's roles (doctor, specialist, coordinator, admin, partner-node).</summary>
    [Required]
    public string RoleClaim { get; set; } = "role";

    /// <summary>Claim carrying the organisation the caller acts for, as <c>Organization/id</c>.</summary>
    [Required]
    public string OrganizationClaim { get; set; } = "organization";

    /// <summary>Require HTTPS for the external authority's metadata; the embedded issuer follows the node's own scheme.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Lifetime of access tokens the embedded issuer issues.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a token found not revoked is trusted before its entry is looked up again; a revoked embedded-issuer
    /// token stops working within this time. Zero checks on every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RevocationCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool UsesEmbeddedIssuer => string.IsNullOrEmpty(Authority);
}
