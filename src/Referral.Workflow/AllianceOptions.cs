using System.ComponentModel.DataAnnotations;

namespace Referral.Workflow;

/// <summary>The alliance partners this node exchanges referrals with (configuration section <c>Alliance</c>).</summary>
public sealed class AllianceOptions
{
    public const string Section = "Alliance";

    public List<PartnerOptions> Partners { get; set; } = [];

    /// <summary>
    /// How often the dispatcher looks for due outbox messages besides being woken by each commit that staged one:
    /// what brings retries after their back-off (and messages staged by another instance of the node).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two attempts to deliver one message (back-off doubles up to it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    public PartnerOptions? Find(string? organization) =>
        Partners.FirstOrDefault(p => string.Equals(p.Organization, organization, StringComparison.Ordinal));
}

/// <summary>One partner node: who it is, where its FHIR API and token endpoint are, and this node's client there.</summary>
public sealed class PartnerOptions
{
    [Required]
    [RegularExpression("^Organization/[A-Za-z0-9\\-\\.]{1,64}$")]
    public string Organization { get; set; } = "";

    /// <summary>The partner hospital's name, shown to users (and seeded as its Organization by the demo data).</summary>
    public string? Name { get; set; }

    [Required]
    [Url]
    public string FhirBase { get; set; } = "";

    [Required]
    [Url]
    public string TokenEndpoint { get; set; } = "";

    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>Never logged.</summary>
    [Required]
    public string ClientSecret { get; set; } = "";

    public string OrganizationId => Organization["Organization/".Length..];
}
