using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>AuditEvents the secured node stored while a scenario ran, against the requests the scenario sent.</summary>
/// <param name="Scenario">read or search.</param>
/// <param name="RequestsSent">Every request of the scenario, warm-up included (each one is audited).</param>
/// <param name="AuditEventsWritten">Growth of <c>AuditEvent?_summary=count</c> from just before to just after the scenario.</param>
internal sealed record AuditTally(string Scenario, long RequestsSent, long AuditEventsWritten)
{
    /// <summary>True when every request left an AuditEvent, so the secured figure really includes the cost of auditing.</summary>
    public bool Complete => AuditEventsWritten >= RequestsSent;
}

/// <summary>
/// Counts the secured node's AuditEvents around a scenario. Every response is sent only after its AuditEvent is
/// committed, so once the scenario's last answer is in, the count already holds all of them.
/// </summary>
internal sealed class AuditCounter(HttpClient client, Uri fhirBase)
{
    public async Task<(ScenarioResult Result, AuditTally Tally)> AroundAsync(
        string scenario,
        Func<CancellationToken, Task<Outcome>> send,
        Func<Func<CancellationToken, Task<Outcome>>, Task<ScenarioResult>> run,
        CancellationToken ct)
    {
        long sent = 0;
        var before = await CountAsync(ct);
        var result = await run(c =>
        {
            Interlocked.Increment(ref sent);
            return send(c);
        });
        var after = await CountAsync(ct);
        var tally = new AuditTally(scenario, Interlocked.Read(ref sent), after - before);
        Console.Error.WriteLine(
            $"    audit: {tally.AuditEventsWritten} AuditEvents written for {tally.RequestsSent} {scenario} requests (warm-up included): " +
            (tally.Complete ? "every request audited" : "SOME REQUESTS WERE NOT AUDITED"));
        return (result, tally);
    }

    /// <summary>
    /// The trail's count (an admin search), which first stores everything the journal holds: after it the node has no
    /// audit work left over.
    /// </summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        using var response = await client.GetAsync(new Uri(fhirBase, "AuditEvent?_summary=count"), ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InfrastructureException($"counting AuditEvents failed: {Outcome.Failure(response.StatusCode, body).Detail}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("total", out var total)
            ? total.GetInt64()
            : throw new InfrastructureException("AuditEvent?_summary=count answered a Bundle without total");
    }
}
