using Hl7.Fhir.Model;
using Referral.Fhir.Features.Persistence;
using Referral.Workflow.Referrals;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.Scheduling;

/// <summary>
/// Frees the booking of a referral that is being cancelled, staged in the cancellation's own transaction: each
/// Appointment this node booked for it (the referral Task's <c>appointment</c> outputs) is cancelled with the Task's
/// statusReason as cancelationReason, and the Slots of ours it held are set free, so a green-channel Slot can be given
/// to another patient at once. A partner's copy of an Appointment is not ours to release: the node that booked it does,
/// and its status message brings the cancelled Appointment here.
/// </summary>
public sealed class BookingRelease(ResourceStore store, InboundReferral inbound)
{
    /// <summary>
    /// Stages the release when <paramref name="next"/> (the referral Task as the write stores it) cancels the referral.
    /// What <paramref name="writtenAlongside"/> names (<c>Type/id</c>) the same write changes itself: a client that
    /// cancels the Appointment or frees the Slot in its own transaction does it its way (<see cref="BookingReleaseRule"/>
    /// still checks the result).
    /// </summary>
    public async System.Threading.Tasks.Task StageAsync(FhirTask next, IReadOnlySet<string> writtenAlongside, CancellationToken ct)
    {
        if (next.Status != FhirTask.TaskStatus.Cancelled || ReferralTask.ReferralId(next) is not { } referralId
            || await ReferralLookup.TaskAsync(store.Db, store.Serializer, referralId, ct) is not { } stored)
        {
            return;
        }

        foreach (var reference in BookedAppointments(stored).Where(r => !writtenAlongside.Contains(r)))
        {
            if (await StoredResources.CurrentAsync<Appointment>(store.Db, store.Serializer, reference, ct) is not { } appointment
                || SourceRecords.Of(appointment) is not null || !SlotBookingRule.Holds(appointment))
            {
                continue;
            }

            appointment.Status = Appointment.AppointmentStatus.Cancelled;
            appointment.CancelationReason = (CodeableConcept?)next.StatusReason?.DeepCopy();
            await store.StageUpdateAsync(appointment, appointment.Id!, null, "PUT", ct);
            inbound.DrawnHere.Add(reference);
            foreach (var slotReference in appointment.Slot.Select(s => s.Reference).Where(r => StoredResources.Split(r) is ("Slot", _) && !writtenAlongside.Contains(r!)))
            {
                if (await StoredResources.CurrentAsync<Slot>(store.Db, store.Serializer, slotReference, ct) is { Status: Slot.SlotStatus.Busy or Slot.SlotStatus.BusyTentative } slot)
                {
                    slot.Status = Slot.SlotStatus.Free;
                    await store.StageUpdateAsync(slot, slot.Id!, null, "PUT", ct);
                }
            }
        }
    }

    /// <summary>The literal Appointment references of the referral Task's <c>appointment</c> outputs.</summary>
    public static IEnumerable<string> BookedAppointments(FhirTask task) =>
        task.Output.Where(o => o.Type?.Coding.Any(c => c.System == ReferralCodes.TaskParameterSystem && c.Code == ReferralCodes.AppointmentOutput) == true)
            .Select(o => (o.Value as ResourceReference)?.Reference).Where(r => StoredResources.Split(r) is ("Appointment", _)).OfType<string>().Distinct(StringComparer.Ordinal);
}
