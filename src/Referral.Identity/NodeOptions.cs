using System.ComponentModel.DataAnnotations;

namespace Referral.Identity;

/// <summary>Who this node is (configuration section <c>Node</c>): the hospital whose records it holds.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>
    /// The hospital's Organization as a local reference, e.g. <c>Organization/municipal-hospital</c>. Its users act for
    /// it, and patients with no managingOrganization are treated as its own.
    /// </summary>
    [Required]
    [RegularExpression("^Organization/[A-Za-z0-9\\-\\.]{1,64}$", ErrorMessage = "Node:Organization must be a reference like Organization/municipal-hospital.")]
    public string Organization { get; set; } = "Organization/municipal-hospital";

    /// <summary>The hospital's name, shown on the login page and recorded as the audit source site.</summary>
    [Required]
    public string Name { get; set; } = "Municipal Hospital";
}
