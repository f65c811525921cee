using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Referral.FunctionalTests;

/// <summary>The shared synthetic Synthea bundles (../shared/data/synthea beside the repository).</summary>
public static class TestData
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data", "synthea"), Path.Combine(dir.FullName, "..", "shared", "data", "synthea") })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data/synthea was not found above " + AppContext.BaseDirectory);
    });

    public static string SyntheaFolder => Folder.Value;

    public static IReadOnlyList<string> SyntheaFiles => [.. Directory.GetFiles(SyntheaFolder, "patient-*.json").Order(StringComparer.Ordinal)];

    public static Bundle ReadBundle(string file) =>
        JsonSerializer.Deserialize<Bundle>(File.ReadAllText(file), new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector))!;
}
