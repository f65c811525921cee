using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>The figures of one submitter count: latency percentiles (ms) and referrals per minute.</summary>
internal sealed record ReferralResult(
    int Submitters,
    int Referrals,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double AcknowledgedP50Ms,
    double AcknowledgedP95Ms,
    double PerMinute,
    IReadOnlyList<string> Failures)
{
    public const double TargetP95Ms = 300;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static ReferralResult From(int submitters, IReadOnlyList<ReferralSample> samples, IReadOnlyList<string> failures, double seconds)
    {
        var visible = samples.Select(s => s.Visible.TotalMilliseconds).Order().ToArray();
        var acknowledged = samples.Select(s => s.Acknowledged.TotalMilliseconds).Order().ToArray();
        return new ReferralResult(
            submitters,
            samples.Count,
            Percentile(visible, 0.50),
            Percentile(visible, 0.95),
            Percentile(visible, 0.99),
            visible.LastOrDefault(),
            Percentile(acknowledged, 0.50),
            Percentile(acknowledged, 0.95),
            seconds > 0 ? samples.Count * 60 / seconds : 0,
            failures);
    }

    public static string Markdown(IReadOnlyList<ReferralResult> results, int packageRecords, string settings)
    {
        var ic = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(ic, $"### referral: submit → visible at the partner, {packageRecords}-record package (target p95 < {TargetP95Ms:0} ms)");
        md.AppendLine(ic, $"{settings}; {Report.Machine()}");
        md.AppendLine();
        md.AppendLine("| submitters | referrals | p50 ms | p95 ms | p99 ms | max ms | submit acknowledged p50 / p95 ms | referrals/min | failed | target |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            md.AppendLine(ic, $"| {r.Submitters} | {r.Referrals} | {r.P50Ms:0} | {r.P95Ms:0} | {r.P99Ms:0} | {r.MaxMs:0} | {r.AcknowledgedP50Ms:0} / {r.AcknowledgedP95Ms:0} | {r.PerMinute:0} | {r.Failures.Count} | {(r.P95Ms < TargetP95Ms ? "met" : "missed")} |");
        }

        foreach (var failure in results.SelectMany(r => r.Failures).Take(5))
        {
            md.AppendLine(ic, $"- failed: `{failure}`");
        }

        return md.ToString();
    }

    /// <returns>The path written.</returns>
    public static string WriteJson(string repoRoot, IReadOnlyList<ReferralResult> results, int packageRecords, string settings)
    {
        var directory = Path.Combine(repoRoot, "artifacts", "benchmarks");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "results-referral.json");
        var document = new { PackageRecords = packageRecords, Settings = settings, Machine = Report.Machine(), MeasuredAt = DateTimeOffset.UtcNow, Results = results };
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        return path;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
