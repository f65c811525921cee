using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Referral.Tests;

namespace Referral.Benchmarks;

/// <summary>
/// The referral scenario: the two hospitals' nodes as processes; each referral's patient and records are loaded at
/// the municipal node first (not measured), then its ServiceRequest + Task are submitted there and the cancer node is
/// polled in a tight loop until the Task is there: that span is the latency. The package is filed at the partner in
/// one transaction, so a visible Task means the whole package arrived.
/// </summary>
internal sealed class ReferralLatency(AllianceProcesses alliance, HttpClient municipal, HttpClient cancer, ReferralPackageData data, TimeSpan pollPause)
{
    private static readonly MediaTypeHeaderValue FhirJson = new("application/fhir+json");
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    private readonly string _run = Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
    private int _next;

    /// <summary>Loads the records of <paramref name="count"/> referrals; returns each one's patient id and record references.</summary>
    public async Task<List<PreparedReferral>> PrepareAsync(int count, CancellationToken ct)
    {
        Console.Error.WriteLine($"  loading {count} patients with {data.Records} records each at the municipal node");
        var prepared = new List<PreparedReferral>(count);
        for (var i = 0; i < count; i++)
        {
            var n = Interlocked.Increment(ref _next);
            var response = await PostAsync(municipal, alliance.MunicipalNode, data.RecordsTransaction(_run, n), ct);
            var locations = JsonNode.Parse(response)!["entry"]!.AsArray()
                .Select(e => e!["response"]!["location"]!.GetValue<string>())
                .Select(l => string.Join('/', l.Split('/').Take(2)))
                .ToList();
            var patient = locations.First(l => l.StartsWith("Patient/", StringComparison.Ordinal));
            var records = locations.Where(l => l != patient && !l.StartsWith("Consent/", StringComparison.Ordinal)).ToList();
            prepared.Add(new PreparedReferral($"bench-{_run}-{n}", patient["Patient/".Length..], records));
        }

        return prepared;
    }

    /// <summary>Submits every prepared referral, <paramref name="submitters"/> at a time, and waits for each at the partner.</summary>
    public async Task<ReferralResult> MeasureAsync(IReadOnlyList<PreparedReferral> referrals, int submitters, CancellationToken ct)
    {
        Console.Error.WriteLine($"  {referrals.Count} referrals, {submitters} submitter(s)");
        var samples = new List<ReferralSample>(referrals.Count);
        var failures = new List<string>();
        var next = -1;
        var start = Stopwatch.GetTimestamp();

        async Task SubmitterAsync()
        {
            for (var i = Interlocked.Increment(ref next); i < referrals.Count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    var sample = await OneAsync(referrals[i], ct);
                    lock (samples)
                    {
                        samples.Add(sample);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TimeoutException or InvalidOperationException)
                {
                    lock (failures)
                    {
                        failures.Add($"{referrals[i].ReferralId}: {e.Message}");
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, submitters).Select(_ => Task.Run(SubmitterAsync, ct)));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return ReferralResult.From(submitters, samples, failures, seconds);
    }

    private async Task<ReferralSample> OneAsync(PreparedReferral referral, CancellationToken ct)
    {
        var body = ReferralPackageData.SubmitTransaction(referral.ReferralId, referral.PatientId, referral.Records);
        var query = new Uri(alliance.CancerNode.FhirBase, $"Task?identifier={Uri.EscapeDataString(ReferralPackageData.ReferralSystem + "|" + referral.ReferralId)}&_summary=count");
        var t0 = Stopwatch.GetTimestamp();
        await PostAsync(municipal, alliance.MunicipalNode, body, ct);
        var acknowledged = Stopwatch.GetElapsedTime(t0);
        var polls = 0;
        while (true)
        {
            polls++;
            using var response = await cancer.GetAsync(query, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"polling the cancer node answered {(int)response.StatusCode}: {Cut(text)}");
            }

            if (JsonNode.Parse(text)?["total"]?.GetValue<int>() > 0)
            {
                return new ReferralSample(Stopwatch.GetElapsedTime(t0), acknowledged, polls);
            }

            if (Stopwatch.GetElapsedTime(t0) > GiveUpAfter)
            {
                throw new TimeoutException($"not at the cancer node {GiveUpAfter.TotalSeconds:0} s after submission");
            }

            await Task.Delay(pollPause, ct);
        }
    }

    private static async Task<string> PostAsync(HttpClient client, NodeProcess node, string bundle, CancellationToken ct)
    {
        using var content = new StringContent(bundle, Encoding.UTF8);
        content.Headers.ContentType = FhirJson;
        using var response = await client.PostAsync(node.FhirBase, content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? text
            : throw new InvalidOperationException($"POST to the {node.Name} answered {(int)response.StatusCode}: {Cut(text)}");
    }

    private static string Cut(string text) => text.Length > 600 ? text[..600] : text;
}

/// <summary>A referral ready to submit: its identifier, its patient at the municipal node, and the records to send.</summary>
internal sealed record PreparedReferral(string ReferralId, string PatientId, IReadOnlyList<string> Records);

/// <summary>One referral: submit → visible at the partner, submit → acknowledged by the municipal node, and polls made.</summary>
internal readonly record struct ReferralSample(TimeSpan Visible, TimeSpan Acknowledged, int Polls);
