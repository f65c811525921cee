using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>
/// Everything measured against one storage provider in one run: the scenarios, read and search on the secured node
/// against the open one (empty, and no open patients, when the comparison was skipped), and the audit check.
/// </summary>
internal sealed record ProviderReport(
    string Provider,
    int PatientsRequested,
    int PatientsSeeded,
    int? OpenPatientsSeeded,
    int Connections,
    int DurationSeconds,
    int WarmupSeconds,
    string Machine,
    DateTimeOffset MeasuredAt,
    IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyList<SecurityCost> SecurityCosts,
    IReadOnlyList<AuditTally> AuditTallies);

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
        md.AppendLine("| scenario | req/s (or resources/s) | p50 ms | p99 ms | errors | × baseline | × reference | node CPU µs/req |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in report.Scenarios)
        {
            var throughput = s.Unit == "req/s" ? s.Throughput.ToString("N0", ic) : $"{s.Throughput.ToString("N0", ic)} resources/s";
            var baseline = s.BaselineRatio is { } b ? Ratio(b) + Spread(s.BaselineRatioRange) : "—";
            var reference = s.Reference is { } r ? Ratio(s.Throughput / r) : "—";
            md.AppendLine(ic, $"| {s.Scenario} | {throughput} | {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.Errors:N0} / {s.Requests:N0} | {baseline} | {reference} | {Cpu(s)} |");
        }

        var failing = report.Scenarios.Concat(report.SecurityCosts.Select(c => c.Open)).Where(s => s.Errors > 0).ToList();
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
        md.AppendLine("In brackets after \"× baseline\" and \"% slower\": the lowest and highest of the ratio over the rounds of interleaved slices.");
        AppendSecurityCosts(md, report);
        return md.ToString();
    }

    private static void AppendSecurityCosts(StringBuilder md, ProviderReport report)
    {
        var ic = CultureInfo.InvariantCulture;
        if (report.SecurityCosts.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(ic, $"#### Cost of authorization and audit (target: at most {SecurityCost.TargetPercentSlower:0}% slower)");
            md.AppendLine(ic, $"secured: bearer token, organisation filtering, durable AuditEvent per request; open: a second node with `Authentication:Enabled=false`, no token, seeded the same way ({report.OpenPatientsSeeded:N0} patients + Synthea).");
            md.AppendLine();
            md.AppendLine("| scenario | secured req/s | open req/s | secured / open | % slower | secured p50 / p99 ms | open p50 / p99 ms | open × baseline | open × reference | node CPU µs/req secured / open | target |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var c in report.SecurityCosts)
            {
                var openBaseline = c.Open.BaselineRatio is { } b ? Ratio(b) + Spread(c.Open.BaselineRatioRange) : "—";
                var slower = c.PercentSlowerRange is var (low, high)
                    ? string.Create(ic, $"{c.PercentSlower:0.0}% ({low:0.0}–{high:0.0})")
                    : string.Create(ic, $"{c.PercentSlower:0.0}%");
                var openReference = c.Open.Reference is { } r ? Ratio(c.Open.Throughput / r) : "—";
                var target = c.HasTarget ? (c.MeetsTarget ? "met" : "missed") : "—";
                md.AppendLine(ic, $"| {c.Scenario} | {c.Secured.Throughput:N0} | {c.Open.Throughput:N0} | {Ratio(c.Ratio)} | {slower} | {c.Secured.P50Ms:0.00} / {c.Secured.P99Ms:0.00} | {c.Open.P50Ms:0.00} / {c.Open.P99Ms:0.00} | {openBaseline} | {openReference} | {Cpu(c.Secured)} / {Cpu(c.Open)} | {target} |");
            }
        }

        if (report.AuditTallies.Count > 0)
        {
            md.AppendLine();
            foreach (var t in report.AuditTallies)
            {
                md.AppendLine(ic, $"- audit during {t.Scenario}: {t.AuditEventsWritten:N0} AuditEvents written for {t.RequestsSent:N0} requests sent (warm-up included): {(t.Complete ? "every request audited" : "**some requests were not audited**")}");
            }
        }
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
            report.OpenPatientsSeeded,
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
                BaselineThroughput = s.BaselineRun?.Throughput,
                s.BaselineRatio,
                s.Slices,
                BaselineSlices = s.BaselineRun?.Slices,
                s.NodeCpuMicrosecondsPerRequest,
                s.DatabaseCpuMicrosecondsPerRequest,
                s.Reference,
                ReferenceRatio = s.Reference is { } r ? s.Throughput / r : (double?)null,
            }),
            SecurityComparison = report.SecurityCosts.Select(c => new
            {
                c.Scenario,
                SecuredThroughput = c.Secured.Throughput,
                OpenThroughput = c.Open.Throughput,
                OpenBaselineRatio = c.Open.BaselineRatio,
                c.Ratio,
                c.PercentSlower,
                PercentSlowerLow = c.PercentSlowerRange?.Low,
                PercentSlowerHigh = c.PercentSlowerRange?.High,
                TargetPercentSlower = c.HasTarget ? SecurityCost.TargetPercentSlower : (double?)null,
                MeetsTarget = c.HasTarget ? c.MeetsTarget : (bool?)null,
                SecuredP50Ms = c.Secured.P50Ms,
                SecuredP99Ms = c.Secured.P99Ms,
                OpenP50Ms = c.Open.P50Ms,
                OpenP99Ms = c.Open.P99Ms,
                SecuredRequests = c.Secured.Requests,
                OpenRequests = c.Open.Requests,
                SecuredErrors = c.Secured.Errors,
                OpenErrors = c.Open.Errors,
                OpenSampleError = c.Open.SampleError,
            }),
            AuditChecks = report.AuditTallies.Select(t => new { t.Scenario, t.RequestsSent, t.AuditEventsWritten, t.Complete }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        return path;
    }

    /// <summary>The node's CPU per request (and PostgreSQL's, where measured), or a dash where it was not measured (the baseline, the imports).</summary>
    private static string Cpu(ScenarioResult s) =>
        (s.NodeCpuMicrosecondsPerRequest is { } us ? us.ToString("N0", CultureInfo.InvariantCulture) : "—")
        + (s.DatabaseCpuMicrosecondsPerRequest is { } db ? $" (+{db.ToString("N0", CultureInfo.InvariantCulture)} PostgreSQL)" : string.Empty);

    /// <summary>" (low–high)" over the rounds of slices, when there was more than one.</summary>
    private static string Spread((double Low, double High)? range) =>
        range is var (low, high) && high > low ? $" ({Ratio(low)[..^1]}–{Ratio(high)})" : string.Empty;

    private static string Ratio(double value) => value.ToString(value < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) + "×";

    private static string Flatten(string? text) =>
        text is null ? string.Empty : text.ReplaceLineEndings(" ").Replace('`', '\'')[..Math.Min(text.Length, 400)];
}
