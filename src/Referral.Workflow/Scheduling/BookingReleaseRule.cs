using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Referral.Workflow.Referrals;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.Scheduling;

/// <summary>
/// A referral is never cancelled while a booking this node made for it still holds its Slot: a write that cancels the
/// referral Task and leaves such an Appointment pending or booked is refused (409 naming the Appointment). PUTs and
/// transactions of the Task, and the partner's cancellation, release the booking themselves (<see cref="BookingRelease"/>);
/// this catches any other way of writing the Task.
/// </summary>
public sealed class BookingReleaseRule(FhirSerializer serializer) : IWriteRule
{
    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        foreach (var entity in written.Where(e => e.ResourceType == "Task" && !e.IsDeleted))
        {
            if (serializer.ParseStored(entity.Json) is not FhirTask { Status: FhirTask.TaskStatus.Cancelled } task || ReferralTask.ReferralId(task) is not { } referralId)
            {
                continue;
            }

            foreach (var reference in BookingRelease.BookedAppointments(task))
            {
                if (await StoredResources.CurrentAsync<Appointment>(db, serializer, reference, ct) is { } appointment
                    && SourceRecords.Of(appointment) is null && SlotBookingRule.Holds(appointment))
                {
                    throw new ConflictException(
                        $"Cancelling referral {referralId} cancels its booking {reference} and frees its Slot in the same transaction; {reference} is still {Hl7.Fhir.Utility.EnumUtility.GetLiteral(appointment.Status!.Value)}.",
                        "Task.output");
                }
            }
        }
    }
}
