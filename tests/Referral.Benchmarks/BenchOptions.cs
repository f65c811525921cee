using System.Globalization;

namespace Referral.Benchmarks;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchOptions
{
    public IReadOnlyList<string> Providers { get; init; } = ["sqlite"];

    public int DurationSeconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 2;

    public int Connections { get; init; } = 10;

    public int Patients { get; init; } = 10_000;

    /// <summary>Seeding stops taking new bundles after this long, so a slow provider still gets measured (with fewer patients).</summary>
    public int SeedBudgetSeconds { get; init; } = 180;

    /// <summary>Concurrent transaction bundles while seeding; 1 mimics a single bulk loader.</summary>
    public int ImportConcurrency { get; init; } = 1;

    /// <summary>Cap on measured requests per scenario, so latency buffers stay bounded however fast the server is.</summary>
    public int MaxRequests { get; init; } = 2_000_000;

    public bool Build { get; init; } = true;

    /// <summary>Also measure read and search on a second node with authentication, access control and audit off.</summary>
    public bool SecurityComparison { get; init; } = true;

    public const string Usage =
        "usage: dotnet run -c Release --project tests/Referral.Benchmarks -- [--provider sqlite|postgres|both] [--duration 10] " +
        "[--warmup 2] [--connections 10] [--patients 10000] [--seed-budget 180] [--import-concurrency 1] [--max-requests 2000000] [--no-build] " +
        "[--no-security-comparison]";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                ? n
                : throw new ArgumentException($"{args[i - 1]} needs a whole number >= {min}");

            options = args[i] switch
            {
                "--provider" => options with
                {
                    Providers = Value().ToUpperInvariant() switch
                    {
                        "SQLITE" => ["sqlite"],
                        "POSTGRES" or "POSTGRESQL" => ["postgres"],
                        "BOTH" => ["sqlite", "postgres"],
                        var other => throw new ArgumentException($"unknown provider '{other}' (sqlite, postgres or both)"),
                    },
                },
                "--duration" => options with { DurationSeconds = Number(1) },
                "--warmup" => options with { WarmupSeconds = Number(0) },
                "--connections" => options with { Connections = Number(1) },
                "--patients" => options with { Patients = Number(1) },
                "--seed-budget" => options with { SeedBudgetSeconds = Number(1) },
                "--import-concurrency" => options with { ImportConcurrency = Number(1) },
                "--max-requests" => options with { MaxRequests = Number(1) },
                "--no-build" => options with { Build = false },
                "--no-security-comparison" => options with { SecurityComparison = false },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }

        return options;
    }
}
