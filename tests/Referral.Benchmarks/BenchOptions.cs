using System.Globalization;

namespace Referral.Benchmarks;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchOptions
{
    public IReadOnlyList<string> Providers { get; init; } = ["sqlite"];

    public int DurationSeconds { get; init; } = 10;

    /// <summary>
    /// Long enough for the node's tiered JIT to settle. Its background compiler keeps a quarter to a third of a core busy
    /// for about ten seconds into each new kind of load, and the secured node's once-a-second audit indexing needs about
    /// thirty loaded seconds before its code is compiled at the last tier. On this 2-core machine the secured node's JIT
    /// time (<c>dotnet.jit.compilation.time</c>) under read load was 1.85 s in its first 10 s, 0.26 s in the next 10 and
    /// 0.08 s in the 10 after that; with a 10 s warm-up, <c>perf</c> put 7% of the secured node's CPU during the measured
    /// slices in the JIT.
    /// </summary>
    public int WarmupSeconds { get; init; } = 30;

    public int Connections { get; init; } = 10;

    /// <summary>
    /// Slices each scenario's measured window is cut into, taken in turn with the baseline's and the open node's
    /// (<see cref="LoadRunner.RunInterleavedAsync"/>); 1 measures each in one piece, one after the other.
    /// </summary>
    public int Slices { get; init; } = 4;

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

    /// <summary>The load scenarios measured after the baseline (all by default); <c>--only read</c> re-measures one quickly.</summary>
    public IReadOnlyList<string> Measured { get; init; } = LoadScenarios;

    public static readonly IReadOnlyList<string> LoadScenarios = ["read", "search", "create"];

    /// <summary><c>load</c> (one node: read, search, create, import) or <c>referral</c> (two nodes: submit → visible at the partner).</summary>
    public string Scenario { get; init; } = "load";

    /// <summary>Referrals measured per submitter count of the referral scenario.</summary>
    public int Referrals { get; init; } = 50;

    /// <summary>The submitter counts the referral scenario runs with, one after the other.</summary>
    public IReadOnlyList<int> Submitters { get; init; } = [1, 4];

    /// <summary>Records in each referral package (the patient's Conditions, Observations, reports, medications, a document).</summary>
    public int PackageSize { get; init; } = 200;

    /// <summary>Pause between two polls of the partner for the submitted referral (each poll is an audited search there).</summary>
    public int PollIntervalMs { get; init; } = 5;

    /// <summary>The nodes' <c>Alliance:DispatchInterval</c> in the referral scenario; null keeps the node's default.</summary>
    public int? DispatchIntervalMs { get; init; }

    public const string Usage =
        "usage: dotnet run -c Release --project tests/Referral.Benchmarks -- [--provider sqlite|postgres|both] [--duration 10] " +
        "[--warmup 30] [--connections 10] [--slices 4] [--patients 10000] [--seed-budget 180] [--import-concurrency 1] [--max-requests 2000000] [--no-build] " +
        "[--no-security-comparison] [--only read,search,create]\n" +
        "       dotnet run -c Release --project tests/Referral.Benchmarks -- --scenario referral [--referrals 50] [--submitters 1,4] " +
        "[--package-size 200] [--poll-interval-ms 5] [--dispatch-interval-ms 250] [--no-build]";

    private static string[] ScenarioNames(string list)
    {
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Length > 0 && names.All(LoadScenarios.Contains)
            ? names
            : throw new ArgumentException($"--only needs scenarios from {string.Join(", ", LoadScenarios)} separated by commas, not '{list}'");
    }

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
                "--slices" => options with { Slices = Number(1) },
                "--patients" => options with { Patients = Number(1) },
                "--seed-budget" => options with { SeedBudgetSeconds = Number(1) },
                "--import-concurrency" => options with { ImportConcurrency = Number(1) },
                "--max-requests" => options with { MaxRequests = Number(1) },
                "--no-build" => options with { Build = false },
                "--no-security-comparison" => options with { SecurityComparison = false },
                "--only" => options with { Measured = ScenarioNames(Value()) },
                "--scenario" => options with
                {
                    Scenario = Value() switch
                    {
                        "load" => "load",
                        "referral" => "referral",
                        var other => throw new ArgumentException($"unknown scenario '{other}' (load or referral)"),
                    },
                },
                "--referrals" => options with { Referrals = Number(1) },
                "--submitters" => options with { Submitters = Numbers(Value()) },
                "--package-size" => options with { PackageSize = Number(1) },
                "--poll-interval-ms" => options with { PollIntervalMs = Number(1) },
                "--dispatch-interval-ms" => options with { DispatchIntervalMs = Number(10) },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }

        return options;
    }

    private static int[] Numbers(string list) =>
        [.. list.Split(',').Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1
            ? v
            : throw new ArgumentException($"--submitters needs whole numbers >= 1 separated by commas, not '{list}'"))];
}
