using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Referral.Workflow;

/// <summary>
/// Checks every partner entry, since ValidateDataAnnotations does not reach into lists: required fields, absolute http(s)
/// URLs, no organisation listed twice. Each failure names its key, e.g. <c>Alliance:Partners:0:ClientSecret</c>.
/// </summary>
public sealed class AllianceOptionsValidator : IValidateOptions<AllianceOptions>
{
    public ValidateOptionsResult Validate(string? name, AllianceOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Partners.Count; i++)
        {
            var partner = options.Partners[i];
            var at = $"Alliance:Partners:{i}";
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(partner, new ValidationContext(partner), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"{at}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
            }

            // [Url] also lets ftp:// through; a partner is called over http(s) only.
            var flagged = results.SelectMany(r => r.MemberNames).ToHashSet(StringComparer.Ordinal);
            if (!flagged.Contains(nameof(PartnerOptions.FhirBase)))
            {
                RequireAbsoluteHttpUrl(partner.FhirBase, $"{at}:FhirBase", failures);
            }

            if (!flagged.Contains(nameof(PartnerOptions.TokenEndpoint)))
            {
                RequireAbsoluteHttpUrl(partner.TokenEndpoint, $"{at}:TokenEndpoint", failures);
            }
        }

        failures.AddRange(options.Partners.GroupBy(p => p.Organization, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"Alliance:Partners lists {g.Key} more than once."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireAbsoluteHttpUrl(string value, string key, List<string> failures)
    {
        if (!string.IsNullOrEmpty(value)
            && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"{key} must be an absolute http(s) URL, not '{value}'.");
        }
    }
}
