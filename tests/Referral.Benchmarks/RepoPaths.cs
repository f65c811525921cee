namespace Referral.Benchmarks;

/// <summary>Locates the repository and the shared Synthea sample data from wherever the driver runs.</summary>
internal static class RepoPaths
{
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Referral.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Referral.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The <c>shared/data/synthea</c> folder in the repository root or any folder above it; null when absent.</summary>
    public static string? FindSyntheaDirectory(string repoRoot)
    {
        foreach (var start in new[] { repoRoot, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "synthea");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
