using System.Collections.Concurrent;
using System.Net;
using Hl7.Fhir.Model;
using Referral.Tests;
using Xunit;
using Xunit.Abstractions;

namespace Referral.FaultTests;

/// <summary>
/// A node under audited load is killed with SIGKILL and started again, twice. Every request it answered must have left
/// exactly one AuditEvent: durable in the audit journal before the answer, moved into the trail at the next start if
/// the node died before it got there, never stored twice.
/// </summary>
public sealed class AuditJournalKillTests(ITestOutputHelper output)
{
    private const int Readers = 6;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async System.Threading.Tasks.Task Every_request_answered_before_a_kill_has_exactly_one_AuditEvent_after_the_restart()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = budget.Token;
        await using var alliance = AllianceProcesses.Create(WebNode.Dll, new Dictionary<string, string>
        {
            ["Audit:Enabled"] = "true",
            // The trail lags the journal by seconds, so a kill always leaves answered records only in the journal.
            ["Audit:IndexIntervalMilliseconds"] = "5000",
        });
        var node = alliance.MunicipalNode;
        using var client = new NodeClient(node);
        await node.StartAsync(StartTimeout, ct);

        // Each read asks for a Patient nobody has, under an id of its own: its 404 is audited with that id.
        var answered = new ConcurrentBag<string>();
        for (var round = 0; round < 2; round++)
        {
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var readers = Enumerable.Range(0, Readers).Select(_ => System.Threading.Tasks.Task.Run(async () =>
            {
                while (!kill.IsCancellationRequested)
                {
                    var id = Guid.NewGuid().ToString("N");
                    if (await client.TrySendAsync(HttpMethod.Get, $"fhir/Patient/{id}", ct: ct) is { Status: HttpStatusCode.NotFound })
                    {
                        answered.Add(id);
                    }
                }
            }, ct)).ToList();

            await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(3), ct);
            node.Kill();
            await kill.CancelAsync();
            await System.Threading.Tasks.Task.WhenAll(readers);
            output.WriteLine($"round {round}: {answered.Count} reads answered so far; killed");
            await node.StartAsync(StartTimeout, ct);
        }

        var audited = (await client.SearchAllAsync<AuditEvent>("AuditEvent?subtype=read&outcome=4&_count=500", ct))
            .SelectMany(e => e.Entity)
            .Select(e => e.What?.Reference)
            .OfType<string>()
            .Where(r => r.StartsWith("Patient/", StringComparison.Ordinal))
            .GroupBy(r => r["Patient/".Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        output.WriteLine($"{answered.Count} reads answered, {audited.Count} audited reads of unknown patients");

        Assert.True(answered.Count >= 100, $"only {answered.Count} reads were answered");
        var missing = answered.Where(id => !audited.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} answered reads have no AuditEvent, e.g. Patient/{missing.FirstOrDefault()}");
        var twice = audited.Where(a => a.Value > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} reads were audited more than once, e.g. Patient/{twice.FirstOrDefault().Key}");
    }
}
