using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Referral.Tests;

/// <summary>
/// The shared synthetic Synthea bundles (patient-01.json … patient-12.json). Linked into each test project that
/// reads them; the data lives beside the repository (../shared/data/synthea) or inside it, depending on the checkout.
/// </summary>
internal static class SyntheaData
{
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private static readonly Lazy<string> FolderPath = new(FindFolder);

    public static string Folder => FolderPath.Value;

    public static IReadOnlyList<string> Files => [.. Directory.GetFiles(Folder, "patient-*.json").Order(StringComparer.Ordinal)];

    public static Bundle Load(string path) => JsonSerializer.Deserialize<Bundle>(File.ReadAllText(path), FhirJson)!;

    public static Bundle LoadNamed(string fileName) => Load(Path.Combine(Folder, fileName));

    private static string FindFolder()
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
