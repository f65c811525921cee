using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>Everything measured against one storage provider in one run.</summary>
internal sealed record ProviderReport(
    string Provider,
    int PatientsRequested,
    int PatientsSeeded,
    int Connections,
    int DurationSeconds,
    int WarmupSeconds,
    string Machine,
    DateTimeOffset MeasuredAt,
    IReadOnlyList<ScenarioResult> Scenarios)
{
    public double? BaselineThroughput => Scenarios.FirstOrDefault(s => s.Scenario == "baseline")?.Throughput;
}

/// <summary>Prints a provider's results as a Markdown table and writes them as JSON under artifacts/benchmarks.</summary>
internal static class Report
{
    /// <summary>Figures of a leading open-source FHIR server on a similar 2-core machine, for the "× reference" column.</summary>
    public const double ReferenceReads = 1_500;
    public const double ReferenceSearches = 400;
    public const double ReferenceCreates = 250;
    public const double ReferenceImport = 240;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Machine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");

    public static string Markdown(ProviderReport report)
    {
        var md = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        var shortfall = report.PatientsSeeded < report.PatientsRequested
            ? string.Create(ic, $" (of {report.PatientsRequested:N0} asked; seeding budget spent)")
            : string.Empty;
        md.AppendLine(ic, $"### {report.Provider}: {report.PatientsSeeded:N0} patients seeded{shortfall}");
        md.AppendLine(ic, $"{report.Connections} connections, {report.WarmupSeconds} s warm-up + {report.DurationSeconds} s per load scenario; {report.Machine}");
        md.AppendLine();
        md.AppendLine("| scenario | req/s (or resources/s) | p50 ms | p99 ms | errors | × baseline | × reference |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in report.Scenarios)
        {
            var throughput = s.Unit == "req/s" ? s.Throughput.ToString("N0", ic) : $"{s.Throughput.ToString("N0", ic)} resources/s";
            var baseline = s.Unit == "req/s" && report.BaselineThroughput is > 0 and var b ? Ratio(s.Throughput / b) : "—";
            var reference = s.Reference is { } r ? Ratio(s.Throughput / r) : "—";
            md.AppendLine(ic, $"| {s.Scenario} | {throughput} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.Errors:N0} / {s.Requests:N0} | {baseline} | {reference} |");
        }

        var failing = report.Scenarios.Where(s => s.Errors > 0).ToList();
        if (failing.Count > 0)
        {
            md.AppendLine();
            foreach (var s in failing)
            {
                var kinds = string.Join(", ", s.ErrorKinds.Select(k => $"{k.Key} × {k.Value.ToString("N0", ic)}"));
                md.AppendLine(ic, $"- {s.Scenario} errors: {kinds}; first: `{Flatten(s.SampleError)}`");
            }
        }

        md.AppendLine();
        md.AppendLine(ic, $"Reference (× reference): reads {ReferenceReads:N0}/s, searches {ReferenceSearches:N0}/s, creates {ReferenceCreates:N0}/s, import {ReferenceImport:N0} resources/s.");
        return md.ToString();
    }

    /// <returns>The path written.</returns>
    public static string WriteJson(string repoRoot, ProviderReport report)
    {
        var directory = Path.Combine(repoRoot, "artifacts", "benchmarks");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"results-{report.Provider}.json");
        var document = new
        {
            report.Provider,
            report.PatientsRequested,
            report.PatientsSeeded,
            report.Connections,
            report.DurationSeconds,
            report.WarmupSeconds,
            report.Machine,
            report.MeasuredAt,
            Scenarios = report.Scenarios.Select(s => new
            {
                s.Scenario,
                s.Unit,
                s.Throughput,
                s.P50Ms,
                s.P99Ms,
                s.Errors,
                s.Requests,
                s.Items,
                s.Seconds,
                s.ErrorKinds,
                s.SampleError,
                BaselineRatio = s.Unit == "req/s" && report.BaselineThroughput is > 0 and var b ? s.Throughput / b : (double?)null,
                s.Reference,
                ReferenceRatio = s.Reference is { } r ? s.Throughput / r : (double?)null,
            }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        return path;
    }

    private static string Ratio(double value) => value.ToString(value < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) + "×";

    private static string Flatten(string? text) =>
        text is null ? string.Empty : text.ReplaceLineEndings(" ").Replace('`', '\'')[..Math.Min(text.Length, 400)];
}
