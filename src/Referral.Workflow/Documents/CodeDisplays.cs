using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Referral.Fhir;
using Referral.Fhir.Serialization;

namespace Referral.Workflow.Documents;

/// <summary>
/// The display and Chinese designation of the alliance's own codes (the CodeSystems in fhir-profiles/), so a form shows
/// "疑似恶性肿瘤需专科确诊" where the resource carries only <c>suspected-malignancy</c>.
/// </summary>
public sealed class CodeDisplays(IOptions<FhirOptions> fhir, FhirSerializer serializer)
{
    private readonly Lazy<Dictionary<(string System, string Code), (string? Display, string? Chinese)>> _codes = new(() => Load(fhir.Value.ProfilesDirectory, serializer));

    /// <summary>"中文 English" for a coding of a loaded CodeSystem; null when the code is not one of them.</summary>
    public string? Describe(Coding coding)
    {
        if (coding.System is null || coding.Code is null || !_codes.Value.TryGetValue((coding.System, coding.Code), out var found))
        {
            return null;
        }

        return string.Join(" ", new[] { found.Chinese, found.Display }.Where(s => !string.IsNullOrEmpty(s)));
    }

    private static Dictionary<(string, string), (string?, string?)> Load(string? folder, FhirSerializer serializer)
    {
        var codes = new Dictionary<(string, string), (string?, string?)>();
        var systems = folder is null || !Directory.Exists(Path.Combine(folder, "CodeSystem"))
            ? []
            : Directory.EnumerateFiles(Path.Combine(folder, "CodeSystem"), "*.json");
        foreach (var file in systems)
        {
            if (serializer.Parse(File.ReadAllBytes(file), FhirFormat.Json) is not CodeSystem system || system.Url is null)
            {
                continue;
            }

            foreach (var concept in system.Concept.Where(c => c.Code is not null))
            {
                var chinese = concept.Designation.FirstOrDefault(d => d.Language?.StartsWith("zh", StringComparison.Ordinal) == true)?.Value;
                codes[(system.Url, concept.Code!)] = (concept.Display, chinese);
            }
        }

        return codes;
    }
}
