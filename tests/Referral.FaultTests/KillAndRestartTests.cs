using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Referral.Tests;
using Xunit;
using Xunit.Abstractions;

namespace Referral.FaultTests;

/// <summary>
/// Both hospitals' nodes as real processes; referrals are submitted at the municipal node and accepted at the cancer
/// node while either node is killed with SIGKILL and restarted at random. Afterwards both must agree on every
/// referral: none lost, none duplicated, the same status at both ends, nothing left in either outbox.
/// </summary>
public sealed class KillAndRestartTests(ITestOutputHelper output)
{
    private const int Referrals = 200;
    private const int Submitters = 4;

    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3.5);

    /// <summary>
    /// Submissions are spread over at least this long (a referral every 200 ms on average), so kills of both nodes land
    /// while they are going on, even on a machine fast enough to submit them all in a few seconds.
    /// </summary>
    private static readonly TimeSpan SubmissionSpan = TimeSpan.FromSeconds(40);

    /// <summary>Kills stop after this long even if submissions are still going (a slow machine restarts nodes slowly).</summary>
    private static readonly TimeSpan ChaosWindow = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async System.Threading.Tasks.Task Referrals_made_while_either_node_is_killed_and_restarted_arrive_once_each_and_both_nodes_agree()
    {
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var seed = Environment.GetEnvironmentVariable("REFERRAL_FAULT_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var run = Guid.NewGuid().ToString("N")[..8];
        output.WriteLine($"seed {seed} (REFERRAL_FAULT_SEED), run {run}");

        await using var alliance = AllianceProcesses.Create(WebNode.Dll, new Dictionary<string, string>
        {
            // Retries come quickly, so the run settles soon after the last kill.
            ["Alliance:DispatchInterval"] = "00:00:00.100",
            ["Alliance:MaxRetryDelay"] = "00:00:01",
            // Delivery is under test, not the audit trail: no AuditEvent write competing for the SQLite writer on every read.
            ["Audit:Enabled"] = "false",
        });
        using var municipal = new NodeClient(alliance.MunicipalNode);
        using var cancer = new NodeClient(alliance.CancerNode);
        var clock = Stopwatch.StartNew();
        try
        {
            await alliance.StartAsync(StartTimeout, ct);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s  both nodes healthy");

            var acknowledged = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var attempts = 0;
            var next = -1;
            var submittingFrom = clock.Elapsed;
            async System.Threading.Tasks.Task SubmitAllAsync()
            {
                for (var n = Interlocked.Increment(ref next); n < Referrals; n = Interlocked.Increment(ref next))
                {
                    var due = submittingFrom + (SubmissionSpan * n / Referrals) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await System.Threading.Tasks.Task.Delay(due, ct);
                    }

                    var referralId = ReferralSubmission.ReferralId(run, n);
                    var bundle = ReferralSubmission.Build(referralId, n);
                    while (true)
                    {
                        Interlocked.Increment(ref attempts);
                        var answer = await municipal.TrySendAsync(HttpMethod.Post, "fhir", bundle, ct: ct);
                        if (answer is { IsSuccess: true })
                        {
                            acknowledged[referralId] = n;
                            break;
                        }

                        // No answer, or one that says nothing was written: a real client sends the same bundle again.
                        if (answer is not null && !Retryable(answer.Status))
                        {
                            throw new InvalidOperationException($"Submission {referralId} refused with {(int)answer.Status}: {answer.Body}");
                        }

                        await System.Threading.Tasks.Task.Delay(150, ct);
                    }
                }
            }

            var submitting = System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, Submitters).Select(_ => System.Threading.Tasks.Task.Run(SubmitAllAsync, ct)));
            var chaos = new Chaos(alliance.Nodes, seed);
            var chaosUntil = clock.Elapsed + ChaosWindow;
            var chaosRun = chaos.RunAsync(() => submitting.IsCompleted || clock.Elapsed > chaosUntil, ct);
            using var stopAccepting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var accepting = AcceptEvenReferralsAsync(cancer, stopAccepting.Token);

            try
            {
                await submitting;
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s  {acknowledged.Count} submissions acknowledged in {attempts} attempts");
                await chaosRun;
            }
            finally
            {
                output.WriteLine($"{acknowledged.Count} acknowledged, {attempts} attempts; chaos (seconds from its start):");
                foreach (var line in chaos.Events)
                {
                    output.WriteLine(line);
                }
            }

            // Quiescent: both outboxes drained and both ends show the expected status of every acknowledged referral.
            // Given up shortly before the budget ends, so what is still unsettled is reported below.
            var settleBy = Budget - TimeSpan.FromSeconds(20);
            var (m, c) = (await SnapshotAsync(alliance, municipal, ct), await SnapshotAsync(alliance, cancer, ct));
            while (!Settled(m, c, acknowledged) && !accepting.IsCompleted && clock.Elapsed < settleBy)
            {
                // The outbox counts are a cheap file read; the FHIR snapshots only once both outboxes look drained.
                await System.Threading.Tasks.Task.Delay(500, ct);
                if (await UndeliveredAsync(alliance, ct) == 0 || clock.Elapsed >= settleBy)
                {
                    (m, c) = (await SnapshotAsync(alliance, municipal, ct), await SnapshotAsync(alliance, cancer, ct));
                }
            }

            await stopAccepting.CancelAsync();
            await accepting;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s  {(Settled(m, c, acknowledged) ? "quiescent" : "NOT settled")}: {m.Messages} and {c.Messages} outbox messages, {m.UndeliveredMessages} and {c.UndeliveredMessages} undelivered");

            // The final state, after the acceptor stopped.
            (m, c) = (await SnapshotAsync(alliance, municipal, ct), await SnapshotAsync(alliance, cancer, ct));
            var problems = Disagreements(m, c, acknowledged).ToList();
            Assert.True(problems.Count == 0, string.Join('\n', problems.Take(30).Prepend($"{problems.Count} problem(s), seed {seed}:")));
            Assert.Equal(Referrals, acknowledged.Count);
            Assert.True(attempts > Referrals, "no submission met a dead municipal node, so none was retried");
            Assert.All(alliance.Nodes, n => Assert.True(chaos.Kills(n) >= Chaos.MinKillsEach, $"{n.Name} was killed {chaos.Kills(n)} times"));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s  both nodes agree on {Referrals} referrals; kills: municipal {chaos.Kills(alliance.MunicipalNode)}, cancer {chaos.Kills(alliance.CancerNode)}");
        }
        catch
        {
            foreach (var node in alliance.Nodes)
            {
                output.WriteLine($"--- last output of the {node.Name} ---\n{node.RecentOutput()}");
            }

            throw;
        }
    }

    /// <summary>A status that says nothing was written (or that the node is not ready), so sending again is right.</summary>
    private static bool Retryable(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.Unauthorized or HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>Even-numbered referrals are accepted at the cancer node as soon as they arrived; the rest stay received.</summary>
    private static bool ShouldAccept(string referralId) =>
        int.Parse(referralId[(referralId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture) % 2 == 0;

    /// <summary>
    /// The cancer hospital's specialist: accepts every even-numbered referral that has arrived, while the nodes are
    /// being killed. An acceptance that got no answer is looked at again in the next round.
    /// </summary>
    private static async System.Threading.Tasks.Task AcceptEvenReferralsAsync(NodeClient cancer, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                foreach (var task in await cancer.SearchAllAsync<Hl7.Fhir.Model.Task>("Task?status=received&_count=500", ct))
                {
                    if (NodeSnapshot.IdentifierValue(task.Identifier, ReferralSubmission.ReferralSystem) is { } id && ShouldAccept(id))
                    {
                        var version = task.Meta.VersionId;
                        task.Status = Hl7.Fhir.Model.Task.TaskStatus.Accepted;
                        task.BusinessStatus = new CodeableConcept("http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS", "3.0", "Service Request Accepted");
                        var answer = await cancer.TrySendAsync(HttpMethod.Put, $"fhir/Task/{task.Id}", task, ifMatch: $"W/\"{version}\"", ct);
                        if (answer is { IsSuccess: false } && !Retryable(answer.Status) && answer.Status != HttpStatusCode.PreconditionFailed)
                        {
                            throw new InvalidOperationException($"Accepting {id} refused with {(int)answer.Status}: {answer.Body}");
                        }
                    }
                }

                await System.Threading.Tasks.Task.Delay(500, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped once the run is quiescent.
        }
    }

    private static async Task<NodeSnapshot> SnapshotAsync(AllianceProcesses alliance, NodeClient client, CancellationToken ct) =>
        await NodeSnapshot.TakeAsync(client, alliance.FhirDatabase(client.Node), ct);

    private static async Task<int> UndeliveredAsync(AllianceProcesses alliance, CancellationToken ct)
    {
        var total = 0;
        foreach (var node in alliance.Nodes)
        {
            total += (await NodeSnapshot.OutboxAsync(alliance.FhirDatabase(node), ct)).Undelivered;
        }

        return total;
    }

    private static bool Settled(NodeSnapshot m, NodeSnapshot c, IReadOnlyDictionary<string, int> acknowledged)
    {
        if (m.UndeliveredMessages > 0 || c.UndeliveredMessages > 0)
        {
            return false;
        }

        var (atM, atC) = (m.TasksByReferral, c.TasksByReferral);
        return acknowledged.Keys.All(id => atC[id].FirstOrDefault()?.Status is { } status
            && status == Expected(id)
            && atM[id].FirstOrDefault()?.Status == status);
    }

    private static Hl7.Fhir.Model.Task.TaskStatus Expected(string referralId) =>
        ShouldAccept(referralId) ? Hl7.Fhir.Model.Task.TaskStatus.Accepted : Hl7.Fhir.Model.Task.TaskStatus.Received;

    /// <summary>Every way the two nodes' final states break "exactly once, the same at both ends".</summary>
    private static IEnumerable<string> Disagreements(NodeSnapshot m, NodeSnapshot c, IReadOnlyDictionary<string, int> acknowledged)
    {
        if (m.UndeliveredMessages > 0 || c.UndeliveredMessages > 0)
        {
            yield return $"outboxes not drained: municipal {m.UndeliveredMessages}, cancer {c.UndeliveredMessages} undelivered";
        }

        var (tasksM, tasksC, requestsM, requestsC) = (m.TasksByReferral, c.TasksByReferral, m.RequestsByReferral, c.RequestsByReferral);
        var known = tasksM.Select(g => g.Key).Union(tasksC.Select(g => g.Key)).Union(acknowledged.Keys).Order(StringComparer.Ordinal);
        foreach (var id in known)
        {
            var counts = (tasksM[id].Count(), tasksC[id].Count(), requestsM[id].Count(), requestsC[id].Count());
            if (counts != (1, 1, 1, 1))
            {
                yield return $"{id}{(acknowledged.ContainsKey(id) ? "" : " (never acknowledged)")}: Tasks {counts.Item1} at municipal / {counts.Item2} at cancer, ServiceRequests {counts.Item3} / {counts.Item4}; want exactly one of each";
                continue;
            }

            var (statusM, statusC) = (tasksM[id].Single().Status, tasksC[id].Single().Status);
            if (statusM != statusC)
            {
                yield return $"{id}: Task status {statusM} at municipal but {statusC} at cancer";
            }
            else if (acknowledged.ContainsKey(id) && statusC != Expected(id))
            {
                yield return $"{id}: Task status {statusC} at both ends, want {Expected(id)}";
            }
        }

        foreach (var (node, snapshot) in new[] { ("municipal", m), ("cancer", c) })
        {
            foreach (var problem in ExactlyOnce(node, "Patient", snapshot.Patients.Select(p => NodeSnapshot.IdentifierValue(p.Identifier, ReferralSubmission.ResidentIdSystem)), acknowledged.Values.Select(ReferralSubmission.ResidentId)))
            {
                yield return problem;
            }

            foreach (var problem in ExactlyOnce(node, "Condition", snapshot.Conditions.Select(r => NodeSnapshot.IdentifierValue(r.Identifier, ReferralSubmission.RecordSystem)), acknowledged.Keys.Select(id => "condition-" + id)))
            {
                yield return problem;
            }

            foreach (var problem in ExactlyOnce(node, "Consent", snapshot.Consents.Select(r => NodeSnapshot.IdentifierValue(r.Identifier, ReferralSubmission.RecordSystem)), acknowledged.Keys.Select(id => "consent-" + id)))
            {
                yield return problem;
            }
        }

        // The copies at the cancer node each carry where they came from: one copy per municipal record.
        var sources = c.Conditions.Concat<Resource>(c.Consents).Concat(c.Patients)
            .Select(r => r is IIdentifiable<List<Identifier>> i ? NodeSnapshot.IdentifierValue(i.Identifier, ReferralSubmission.SourceRecordSystem) : null)
            .Where(v => v is not null).GroupBy(v => v).Where(g => g.Count() > 1);
        foreach (var duplicate in sources)
        {
            yield return $"cancer: {duplicate.Count()} copies of municipal record {duplicate.Key}";
        }
    }

    /// <summary>Resources of one type, keyed by a business identifier: each wanted key exactly once, no key twice.</summary>
    private static IEnumerable<string> ExactlyOnce(string node, string type, IEnumerable<string?> keys, IEnumerable<string> wanted)
    {
        var counts = keys.GroupBy(k => k ?? "(no identifier)").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var key in wanted.Where(k => !counts.ContainsKey(k)))
        {
            yield return $"{node}: no {type} {key}";
        }

        foreach (var (key, count) in counts.Where(kv => kv.Value > 1))
        {
            yield return $"{node}: {count} of {type} {key}";
        }
    }
}
