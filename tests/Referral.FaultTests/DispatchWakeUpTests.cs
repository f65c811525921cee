using System.Diagnostics;
using Referral.Tests;
using Xunit;

namespace Referral.FaultTests;

/// <summary>
/// A committed referral leaves at once: the dispatcher is woken by the commit, not by its poll. With the poll interval
/// at its maximum (one minute), three referrals submitted one after the other must each reach the partner, and the
/// partner's "received" come back, within seconds (waiting for the poll, all three would make it with odds of
/// about (10/60)^3). A first referral warms both nodes up (first token, first package filed) and is not timed.
/// </summary>
public sealed class DispatchWakeUpTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(75);

    [Fact]
    public async System.Threading.Tasks.Task A_submitted_referral_is_delivered_right_after_its_commit_not_at_the_next_poll()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = budget.Token;
        await using var alliance = AllianceProcesses.Create(WebNode.Dll, new Dictionary<string, string>
        {
            ["Alliance:DispatchInterval"] = "00:01:00",
        });
        using var municipal = new NodeClient(alliance.MunicipalNode);
        using var cancer = new NodeClient(alliance.CancerNode);
        await alliance.StartAsync(TimeSpan.FromSeconds(90), ct);
        var run = Guid.NewGuid().ToString("N")[..8];

        for (var n = 0; n < 4; n++)
        {
            var limit = n == 0 ? WarmUp : Soon;
            var referralId = ReferralSubmission.ReferralId(run, n);
            var submitted = await municipal.TrySendAsync(HttpMethod.Post, "fhir", ReferralSubmission.Build(referralId, n), ct: ct);
            Assert.True(submitted is { IsSuccess: true }, $"submission answered {submitted?.Status}: {submitted?.Body}");
            var clock = Stopwatch.StartNew();

            var query = $"Task?identifier={ReferralSubmission.ReferralSystem}|{referralId}";
            await WithinAsync(async () => (await cancer.SearchAllAsync<Hl7.Fhir.Model.Task>(query, ct)).Count == 1, clock, limit, $"referral {n} at the cancer node", ct);
            await WithinAsync(
                async () => (await municipal.SearchAllAsync<Hl7.Fhir.Model.Task>(query, ct)).Single().Status == Hl7.Fhir.Model.Task.TaskStatus.Received,
                clock,
                limit,
                $"referral {n} received, as seen at the municipal node",
                ct);
        }
    }

    private static async System.Threading.Tasks.Task WithinAsync(Func<Task<bool>> condition, Stopwatch clock, TimeSpan limit, string what, CancellationToken ct)
    {
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, $"{what}: not there {limit.TotalSeconds:0} s after the submission (the dispatcher waited for its poll)");
            await System.Threading.Tasks.Task.Delay(50, ct);
        }
    }
}
