using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Referral.Workflow.FollowUp;
using Referral.Workflow.Inbox;
using Referral.Workflow.Referrals;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.Workflow.Worklists;

/// <summary>One message for one hub group.</summary>
public sealed record WorklistNotification(string Group, ReferralChange? Referral, PatientMatchChange? Match, FollowUpChange? FollowUp = null);

/// <summary>
/// Turns committed versions of referral, patient-match and follow-up to-do Tasks into worklist notifications, queued for the
/// <see cref="WorklistBroadcaster"/>: after the commit, so a rolled-back write is never announced, and off the request
/// path, so a slow client never slows a write. The queue is bounded; when full the oldest hint is dropped (clients re-query).
/// </summary>
public sealed class WorklistNotifier : ICommitObserver
{
    private const int Capacity = 10_000;
    private readonly FhirSerializer _serializer;
    private readonly ILogger<WorklistNotifier> _logger;
    private readonly Channel<WorklistNotification> _queue;

    public WorklistNotifier(FhirSerializer serializer, ILogger<WorklistNotifier> logger)
    {
        _serializer = serializer;
        _logger = logger;
        _queue = Channel.CreateBounded<WorklistNotification>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => _logger.LogWarning("Worklist notification queue full; dropped a notification for {Group}", dropped.Group));
    }

    public ChannelReader<WorklistNotification> Reader => _queue.Reader;

    public void Committed(IReadOnlyList<ResourceEntity> written)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted))
        {
            try
            {
                foreach (var notification in NotificationsFor(entity))
                {
                    _queue.Writer.TryWrite(notification);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The write is committed; a notification that cannot be made must not fail it.
                _logger.LogError(e, "No worklist notification for Task/{TaskId} version {Version}", entity.ResourceId, entity.VersionId);
            }
        }
    }

    private IEnumerable<WorklistNotification> NotificationsFor(ResourceEntity entity)
    {
        if (_serializer.ParseStored(entity.Json) is not Hl7.Fhir.Model.Task task)
        {
            yield break;
        }

        var status = task.Status is { } s ? TaskTransitions.Code(s) : TaskTransitions.Code(TaskStatus.Draft);
        if (ReferralTask.ReferralId(task) is { } referralId)
        {
            var business = task.BusinessStatus?.Coding.FirstOrDefault()?.Code;
            var parties = new[] { (ReferralTask.Owner(task), WorklistGroups.Inbound), (ReferralTask.Requester(task), WorklistGroups.Outbound) };
            foreach (var (organization, direction) in parties.Where(p => p.Item1 is not null).DistinctBy(p => p.Item1))
            {
                var change = new ReferralChange(entity.ResourceId, referralId, status, business, entity.VersionId, direction);
                yield return new WorklistNotification(WorklistGroups.Organization(organization!), change, null);
            }
        }
        else if (PatientMatchTask.Is(task) && ReferralTask.Owner(task) is { } owner)
        {
            var change = new PatientMatchChange(entity.ResourceId, status, entity.VersionId);
            foreach (var role in PatientMatchTask.ResolverRoles)
            {
                yield return new WorklistNotification(WorklistGroups.Role(owner, role), null, change);
            }
        }
        else if (FollowUpPlanning.IsToDo(task) && ReferralTask.Owner(task) is { } booker)
        {
            var change = new FollowUpChange(entity.ResourceId, status, task.Restriction?.Period?.End, entity.VersionId);
            foreach (var role in PatientMatchTask.ResolverRoles)
            {
                yield return new WorklistNotification(WorklistGroups.Role(booker, role), null, null, change);
            }
        }
    }
}
