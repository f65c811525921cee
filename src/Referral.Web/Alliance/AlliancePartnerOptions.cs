using System.ComponentModel.DataAnnotations;

namespace Referral.Web.Alliance;

/// <summary>
/// The partner hospitals this node sends referrals and consultations to (configuration section <c>Alliance</c>,
/// list <c>Partners</c>). The referral workflow reads them; until it exists the node validates and logs them.
/// </summary>
public sealed class AllianceOptions
{
    public const string Section = "Alliance";

    public List<AlliancePartnerOptions> Partners { get; set; } = [];
}

/// <summary>One partner node: who it is, where its FHIR API and token endpoint are, and the client this node uses there.</summary>
public sealed class AlliancePartnerOptions
{
    /// <summary>The partner hospital as a local reference, e.g. <c>Organization/cancer-hospital</c>; the same id on both nodes.</summary>
    [Required]
    [RegularExpression("^Organization/[A-Za-z0-9\\-\\.]{1,64}$", ErrorMessage = "Organization must be a reference like Organization/cancer-hospital.")]
    public string Organization { get; set; } = "";

    /// <summary>The partner's name, shown to users.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The partner's FHIR base URL, e.g. <c>http://127.0.0.1:5200/fhir</c>.</summary>
    [Required]
    public string FhirBase { get; set; } = "";

    /// <summary>The partner issuer's OAuth token endpoint, where this node gets its client-credentials token.</summary>
    [Required]
    public string TokenEndpoint { get; set; } = "";

    /// <summary>This node's client at the partner's issuer (a partner-node client registered there).</summary>
    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>That client's secret; never logged.</summary>
    [Required]
    public string ClientSecret { get; set; } = "";

    public string OrganizationId => Organization["Organization/".Length..];
}
