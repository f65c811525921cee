using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.Workflow.Referrals;

/// <summary>Which end of a referral acts: the placer (Task.requester) or the receiver (Task.owner).</summary>
public enum ReferralSide
{
    Placer,
    Receiver,
}

/// <summary>
/// The referral state machine: requested → received → accepted | rejected → in-progress → completed, with on-hold
/// ("awaiting information": the receiver asks, the placer answers, it resumes to the status it was held from) and
/// cancelled (by the placer before in-progress; after that the placer asks with a cancellation request, a Task with
/// code abort, business status 5.2, and the receiver cancels).
/// </summary>
public static class TaskTransitions
{
    private static readonly Dictionary<(TaskStatus From, TaskStatus To), ReferralSide[]> Allowed = new()
    {
        [(TaskStatus.Requested, TaskStatus.Received)] = [ReferralSide.Receiver],
        [(TaskStatus.Requested, TaskStatus.Accepted)] = [ReferralSide.Receiver],
        [(TaskStatus.Received, TaskStatus.Accepted)] = [ReferralSide.Receiver],
        [(TaskStatus.Requested, TaskStatus.Rejected)] = [ReferralSide.Receiver],
        [(TaskStatus.Received, TaskStatus.Rejected)] = [ReferralSide.Receiver],
        [(TaskStatus.Accepted, TaskStatus.InProgress)] = [ReferralSide.Receiver],
        [(TaskStatus.InProgress, TaskStatus.Completed)] = [ReferralSide.Receiver],
        [(TaskStatus.Received, TaskStatus.OnHold)] = [ReferralSide.Receiver],
        [(TaskStatus.Accepted, TaskStatus.OnHold)] = [ReferralSide.Receiver],
        [(TaskStatus.InProgress, TaskStatus.OnHold)] = [ReferralSide.Receiver],
        [(TaskStatus.OnHold, TaskStatus.Received)] = [ReferralSide.Placer, ReferralSide.Receiver],
        [(TaskStatus.OnHold, TaskStatus.Accepted)] = [ReferralSide.Placer, ReferralSide.Receiver],
        [(TaskStatus.OnHold, TaskStatus.InProgress)] = [ReferralSide.Placer, ReferralSide.Receiver],
        [(TaskStatus.Requested, TaskStatus.Cancelled)] = [ReferralSide.Placer],
        [(TaskStatus.Received, TaskStatus.Cancelled)] = [ReferralSide.Placer],
        [(TaskStatus.Accepted, TaskStatus.Cancelled)] = [ReferralSide.Placer],
        [(TaskStatus.OnHold, TaskStatus.Cancelled)] = [ReferralSide.Placer, ReferralSide.Receiver],
        [(TaskStatus.InProgress, TaskStatus.Cancelled)] = [ReferralSide.Receiver],
    };

    /// <summary>A new referral Task starts requested (placer), or received when the receiver files the package.</summary>
    public static bool CanStart(TaskStatus status) => status is TaskStatus.Requested or TaskStatus.Received;

    /// <summary>Null when <paramref name="side"/> may move the Task from one status to the other; else why not.</summary>
    public static string? Refusal(TaskStatus from, TaskStatus to, ReferralSide? side)
    {
        if (from == to)
        {
            return ReferralTask.IsClosed(from) ? $"The referral is {Code(from)}; it can no longer change." : null;
        }

        if (!Allowed.TryGetValue((from, to), out var sides))
        {
            return $"The referral cannot go from {Code(from)} to {Code(to)}.";
        }

        if (side is null || sides.Contains(side.Value))
        {
            return null;
        }

        var refusal = $"The referral can go from {Code(from)} to {Code(to)} only by the {string.Join(" or ", sides.Select(s => s == ReferralSide.Placer ? "referring (placer)" : "receiving"))} organisation.";
        return to == TaskStatus.Cancelled && side == ReferralSide.Placer
            ? refusal + $" Ask the receiver instead with a cancellation request: a Task with code {ReferralCodes.Abort} ({ReferralCodes.TaskCodeSystem}) whose focus is this Task."
            : refusal;
    }

    /// <summary>The statuses whose Task must say why in statusReason (FHIR: "why this task is held, failed, was refused").</summary>
    public static bool NeedsReason(TaskStatus status) => status is TaskStatus.Rejected or TaskStatus.Cancelled or TaskStatus.OnHold;

    public static string Code(TaskStatus status) => Hl7.Fhir.Utility.EnumUtility.GetLiteral(status) ?? status.ToString();
}
