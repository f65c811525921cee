using Hl7.Fhir.Model;

namespace Referral.Workflow.FollowUp;

/// <summary>
/// When a CarePlan activity is due: its <c>detail.scheduled[x]</c> as the follow-up's occurrence, and the date by which
/// it is to be done. A Timing is due at its first event, or at the start of its repeat bounds (where FHIR starts a
/// repeating schedule); a Period by its end (its start when open-ended). A free-text schedule, or a Timing that names
/// no date, is not a scheduled time.
/// </summary>
public sealed record FollowUpSchedule(DataType Occurrence, FhirDateTime Due)
{
    public static FollowUpSchedule? Of(DataType? scheduled) => scheduled switch
    {
        Timing timing when FirstDate(timing) is { } due => new FollowUpSchedule((Timing)timing.DeepCopy(), due),
        Period period when (period.EndElement ?? period.StartElement) is { Value: not null } due => new FollowUpSchedule((Period)period.DeepCopy(), (FhirDateTime)due.DeepCopy()),
        _ => null,
    };

    private static FhirDateTime? FirstDate(Timing timing)
    {
        var (first, earliest) = ((FhirDateTime?)null, DateTimeOffset.MaxValue);
        foreach (var scheduled in timing.EventElement)
        {
            if (scheduled.TryToDateTimeOffset(TimeSpan.Zero, out var at) && at < earliest)
            {
                (first, earliest) = (scheduled, at);
            }
        }

        return (FhirDateTime?)(first ?? (timing.Repeat?.Bounds as Period)?.StartElement)?.DeepCopy();
    }
}
