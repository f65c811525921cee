using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>One seeded patient: its sequence number (MRN) and the id the server gave it.</summary>
internal sealed record SeededPatient(int N, string Id);

/// <summary>The import scenarios: synthetic patients in transaction Bundles of 100, then the Synthea sample bundles as-is.</summary>
internal sealed class Seeder(HttpClient client, Uri fhirBase)
{
    public const int BundleSize = 100;
    private static readonly MediaTypeHeaderValue FhirJson = new("application/fhir+json");

    /// <summary>
    /// Seeds patients 0..count-1; stops taking new bundles once <paramref name="budget"/> is spent, so the patients
    /// returned may be fewer than asked for.
    /// </summary>
    public async Task<(ScenarioResult Result, List<SeededPatient> Patients)> SeedPatientsAsync(
        int count, int concurrency, TimeSpan budget, double? reference, CancellationToken ct)
    {
        var bundles = (count + BundleSize - 1) / BundleSize;
        var seeded = new List<SeededPatient>(count);
        var nextBundle = new int[1];
        var start = Stopwatch.GetTimestamp();

        async Task WorkerAsync(WorkerStats stats)
        {
            while (!ct.IsCancellationRequested && Stopwatch.GetElapsedTime(start) < budget)
            {
                var b = Interlocked.Increment(ref nextBundle[0]) - 1;
                if (b >= bundles)
                {
                    return;
                }

                var first = b * BundleSize;
                var body = PatientData.TransactionBundle(first, Math.Min(BundleSize, count - first));
                var t0 = Stopwatch.GetTimestamp();
                var (outcome, ids) = await PostTransactionAsync(body, ct);
                var t1 = Stopwatch.GetTimestamp();
                stats.Record(t1 - t0, outcome);
                stats.LastCompletion = t1;
                lock (seeded)
                {
                    seeded.AddRange(ids.Select((id, i) => new SeededPatient(first + i, id)).Where(p => p.Id.Length > 0));
                    if (seeded.Count % (BundleSize * 20) == 0)
                    {
                        Console.Error.WriteLine($"    {seeded.Count} patients in {Stopwatch.GetElapsedTime(start).TotalSeconds:0} s");
                    }
                }
            }
        }

        Console.Error.WriteLine($"  transaction import: {count} patients in bundles of {BundleSize}, {concurrency} at a time");
        var workers = Enumerable.Range(0, concurrency).Select(_ => new WorkerStats()).ToArray();
        await Task.WhenAll(workers.Select(w => Task.Run(() => WorkerAsync(w), ct)));
        ct.ThrowIfCancellationRequested();
        var seconds = (double)(workers.Max(w => w.LastCompletion) - start) / Stopwatch.Frequency;
        seeded.Sort((a, b) => a.N.CompareTo(b.N));
        return (WorkerStats.Merge(workers, "transaction import", "resources/s", seeded.Count, seconds, reference), seeded);
    }

    /// <summary>Posts every Synthea bundle as-is, one after the other; null when the sample folder is missing or empty.</summary>
    public async Task<ScenarioResult?> ImportSyntheaAsync(string? directory, double? reference, CancellationToken ct)
    {
        var files = directory is null ? [] : Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine("  synthea import: skipped (no shared/data/synthea/*.json found)");
            return null;
        }

        Console.Error.WriteLine($"  synthea import: {files.Length} bundles from {directory}");
        var stats = new WorkerStats();
        long resources = 0;
        double seconds = 0;
        foreach (var file in files)
        {
            // Read before timing: the figure is about the server, not this disk.
            var body = await File.ReadAllBytesAsync(file, ct);
            var t0 = Stopwatch.GetTimestamp();
            var (outcome, ids) = await PostTransactionAsync(body, ct);
            var t1 = Stopwatch.GetTimestamp();
            stats.Record(t1 - t0, outcome);
            seconds += (double)(t1 - t0) / Stopwatch.Frequency;
            resources += ids.Count(id => id.Length > 0);
        }

        return WorkerStats.Merge([stats], "synthea import", "resources/s", resources, seconds, reference);
    }

    /// <summary>Posts a transaction; returns the id of every entry created (empty string for an entry that was not).</summary>
    private async Task<(Outcome Outcome, List<string> Ids)> PostTransactionAsync(byte[] bundle, CancellationToken ct)
    {
        try
        {
            using var content = new ByteArrayContent(bundle);
            content.Headers.ContentType = FhirJson;
            using var response = await client.PostAsync(fhirBase, content, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (Outcome.Failure(response.StatusCode, body), []);
            }

            var ids = CreatedIds(body);
            return ids.Contains(string.Empty)
                ? (Outcome.Failure("entry not created", "a transaction entry answered without 201 and a location"), ids)
                : (Outcome.Success, ids);
        }
        catch (HttpRequestException e)
        {
            return (Outcome.Failure(e.GetType().Name, e.Message), []);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return (Outcome.Failure("timeout", e.Message), []);
        }
    }

    /// <summary>Ids from <c>entry[].response.location</c> (<c>[base/]Type/id/_history/1</c>) of entries answered 201.</summary>
    private static List<string> CreatedIds(byte[] responseBundle)
    {
        using var document = JsonDocument.Parse(responseBundle);
        var ids = new List<string>();
        if (!document.RootElement.TryGetProperty("entry", out var entries))
        {
            return ids;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            var id = string.Empty;
            if (entry.TryGetProperty("response", out var response)
                && response.TryGetProperty("status", out var status)
                && status.GetString()?.StartsWith("201", StringComparison.Ordinal) == true
                && response.TryGetProperty("location", out var location)
                && location.GetString() is { } path)
            {
                var segments = path.Split('/');
                var history = Array.IndexOf(segments, "_history");
                id = history >= 1 ? segments[history - 1] : segments.Length >= 2 ? segments[^1] : string.Empty;
            }

            ids.Add(id);
        }

        return ids;
    }
}
