using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Referral.Fhir.Tests;

/// <summary>Finds and parses the shared Synthea sample bundles (patient-01.json … patient-12.json).</summary>
internal static class TestData
{
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private static readonly Lazy<string> SyntheaFolder = new(FindSyntheaFolder);

    public static IEnumerable<string> SyntheaFiles =>
        Directory.EnumerateFiles(SyntheaFolder.Value, "patient-*.json").Order(StringComparer.Ordinal);

    public static Bundle LoadBundle(string fileName) => Parse(Path.Combine(SyntheaFolder.Value, fileName));

    public static Bundle Parse(string path) => JsonSerializer.Deserialize<Bundle>(File.ReadAllText(path), FhirJson)!;

    // The data lives beside the repository (../shared/data/synthea) or inside it, depending on the checkout.
    private static string FindSyntheaFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(directory.FullName, "shared", "data", "synthea"), Path.Combine(directory.FullName, "..", "shared", "data", "synthea") })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new DirectoryNotFoundException($"No shared/data/synthea folder above {AppContext.BaseDirectory}.");
    }
}
