using System.ComponentModel.DataAnnotations;

namespace Referral.Web.Hardening;

/// <summary>Per-client request rate limit of the node (configuration section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions : IValidatableObject
{
    public const string Section = "RateLimiting";

    /// <summary>Whether requests are limited at all; off only where something in front of the node limits instead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second one client may make.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>
    /// Requests one client may make at once after being idle: an integration engine catching up on a backlog
    /// bursts, and should not be throttled for it while it stays under the sustained rate on average.
    /// </summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A bucket smaller than one second's refill would silently cap the rate at Burst per second.
        if (Burst < PermitsPerSecond)
        {
            yield return new ValidationResult(
                $"RateLimiting:Burst ({Burst}) must be at least RateLimiting:PermitsPerSecond ({PermitsPerSecond}).", [nameof(Burst)]);
        }
    }
}
