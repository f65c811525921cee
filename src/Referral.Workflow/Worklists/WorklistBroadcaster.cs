using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Referral.Workflow.Worklists;

/// <summary>Sends the queued worklist notifications to the hub's groups, in commit order (through the Redis backplane when configured).</summary>
public sealed class WorklistBroadcaster(WorklistNotifier notifier, IHubContext<WorklistHub, IWorklistClient> hub, ILogger<WorklistBroadcaster> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notification in notifier.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var group = hub.Clients.Group(notification.Group);
                await (notification switch
                {
                    { Referral: { } referral } => group.ReferralChanged(referral),
                    { Match: { } match } => group.PatientMatchChanged(match),
                    _ => group.FollowUpChanged(notification.FollowUp!),
                });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Worklist notification for {Group} could not be sent", notification.Group);
            }
        }
    }
}
