using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Referral.Workflow.Worklists;

namespace Referral.FunctionalTests.Workflow;

/// <summary>A SignalR client of a node's worklist hub over WebSockets that keeps every notification it is sent, in order.</summary>
public sealed class WorklistListener : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ConcurrentQueue<ReferralChange> _referrals = new();
    private readonly ConcurrentQueue<PatientMatchChange> _matches = new();
    private readonly ConcurrentQueue<FollowUpChange> _followUps = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorklistListener(HubConnection connection)
    {
        _connection = connection;
        _connection.On<ReferralChange>(nameof(IWorklistClient.ReferralChanged), _referrals.Enqueue);
        _connection.On<PatientMatchChange>(nameof(IWorklistClient.PatientMatchChanged), _matches.Enqueue);
        _connection.On<FollowUpChange>(nameof(IWorklistClient.FollowUpChanged), _followUps.Enqueue);
        _connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the server closes the connection.</summary>
    public Task Closed => _closed.Task;

    public IReadOnlyList<ReferralChange> Referrals => [.. _referrals];

    public IReadOnlyList<PatientMatchChange> Matches => [.. _matches];

    public IReadOnlyList<FollowUpChange> FollowUps => [.. _followUps];

    /// <summary>
    /// Connects with the token in the Authorization header, or (<paramref name="inQueryString"/>) as <c>access_token</c>
    /// in the URL, as browsers must for WebSockets; no token at all when it is null.
    /// </summary>
    public static async Task<WorklistListener> ConnectAsync(string nodeUrl, string? token, bool inQueryString = false)
    {
        var url = $"{nodeUrl}{WorklistHub.Path}";
        if (token is not null && inQueryString)
        {
            url += $"?access_token={Uri.EscapeDataString(token)}";
        }

        var connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                if (token is not null && !inQueryString)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        var listener = new WorklistListener(connection);
        try
        {
            await connection.StartAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return listener;
    }

    /// <summary>Waits until a referral notification matching <paramref name="predicate"/> has arrived.</summary>
    public async Task<ReferralChange> WaitForAsync(Func<ReferralChange, bool> predicate, string what)
    {
        await TwoNodes.EventuallyAsync(() => Task.FromResult(_referrals.Any(predicate)), what);
        return _referrals.First(predicate);
    }

    public async Task<PatientMatchChange> WaitForMatchAsync(Func<PatientMatchChange, bool> predicate, string what)
    {
        await TwoNodes.EventuallyAsync(() => Task.FromResult(_matches.Any(predicate)), what);
        return _matches.First(predicate);
    }

    public async Task WaitForFollowUpsAsync(Func<IReadOnlyList<FollowUpChange>, bool> enough, string what) =>
        await TwoNodes.EventuallyAsync(() => Task.FromResult(enough(FollowUps)), what);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
