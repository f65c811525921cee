using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Referral.Workflow.Referrals;
using AppointmentStatus = Hl7.Fhir.Model.Appointment.AppointmentStatus;

namespace Referral.Workflow.Scheduling;

/// <summary>
/// Booking from a Slot, checked inside the write's transaction: an Appointment that takes a Slot of this node (status
/// pending, booked, arrived, checked-in or fulfilled) needs the Slot set from free to busy in the same transaction and
/// held by no other such Appointment. The Slot's update takes its row lock first, so of two bookings of one Slot the
/// second sees the first committed and is refused (409 naming the Slot). An Appointment for an alliance referral
/// (basedOn the referral ServiceRequest) books only Slots reserved for alliance referrals (meta.tag
/// <see cref="ReferralCodes.SlotReservationSystem"/>), names the referral's patient, and a reserved Slot is booked only
/// for a referral (422). Slots of the partner (logical references) are not this node's to check.
/// </summary>
public sealed class SlotBookingRule(FhirSerializer serializer) : IWriteRule
{
    private static readonly AppointmentStatus[] Holding =
        [AppointmentStatus.Pending, AppointmentStatus.Booked, AppointmentStatus.Arrived, AppointmentStatus.CheckedIn, AppointmentStatus.Fulfilled];

    private static readonly string[] HoldingCodes = [.. Holding.Select(s => Hl7.Fhir.Utility.EnumUtility.GetLiteral(s)!)];

    public async System.Threading.Tasks.Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct)
    {
        var slotsWritten = written.Where(e => e.ResourceType == "Slot" && !e.IsDeleted).ToDictionary(e => e.ResourceId, StringComparer.Ordinal);
        foreach (var entity in written.Where(e => e.ResourceType == "Appointment" && !e.IsDeleted))
        {
            if (serializer.ParseStored(entity.Json) is not Appointment appointment || !Holds(appointment))
            {
                continue;
            }

            var previous = await StoredResources.PreviousAsync<Appointment>(db, serializer, entity, ct);
            var held = previous is not null && Holds(previous) ? previous.Slot.Select(s => s.Reference).ToHashSet(StringComparer.Ordinal) : [];
            var referral = await ReferralRequestAsync(db, appointment, ct);
            if (referral is not null && appointment.Slot.Count > 0 && !appointment.Participant.Any(p => p.Actor?.Reference == referral.Subject?.Reference))
            {
                throw new BusinessRuleException(
                    $"An Appointment for referral {ReferralTask.ReferralId(referral)} names the referral's patient ({referral.Subject?.Reference}) as a participant.",
                    "Appointment.participant");
            }

            for (var i = 0; i < appointment.Slot.Count; i++)
            {
                var reference = appointment.Slot[i].Reference;
                if (StoredResources.Split(reference) is not ("Slot", var slotId) || held.Contains(reference))
                {
                    continue;
                }

                await CheckSlotAsync(db, entity, slotId, referral, slotsWritten.GetValueOrDefault(slotId), $"Appointment.slot[{i}]", ct);
            }
        }
    }

    private async System.Threading.Tasks.Task CheckSlotAsync(
        FhirDbContext db, ResourceEntity appointment, string slotId, ServiceRequest? referral, ResourceEntity? slotWritten, string expression, CancellationToken ct)
    {
        var name = $"Slot/{slotId}";
        var slot = await StoredResources.CurrentAsync<Slot>(db, serializer, name, ct)
            ?? throw new BusinessRuleException($"{name} is not known here.", expression);
        var reserved = IsReserved(slot);
        if (referral is not null && !reserved)
        {
            throw new BusinessRuleException(
                $"{name} is not reserved for alliance referrals (meta.tag {ReferralCodes.SlotReservationSystem}|{ReferralCodes.AllianceReferralSlot}); book the referral into a reserved Slot.",
                expression);
        }

        if (referral is null && reserved)
        {
            throw new BusinessRuleException($"{name} is reserved for alliance referrals: the Appointment must be basedOn the referral's ServiceRequest.", expression);
        }

        if (await OtherHolderAsync(db, appointment, name, ct) is { } other)
        {
            throw new ConflictException($"{name} is already booked (Appointment/{other}).", expression);
        }

        var before = slotWritten is null ? slot : await StoredResources.PreviousAsync<Slot>(db, serializer, slotWritten, ct);
        if (before is not null && before.Status != Slot.SlotStatus.Free)
        {
            throw new ConflictException($"{name} is {Code(before.Status)}, not free.", expression);
        }

        if (slotWritten is null || slot.Status != Slot.SlotStatus.Busy)
        {
            throw new BusinessRuleException($"Booking {name} sets it busy in the same transaction (a PUT of the Slot with status busy).", expression);
        }
    }

    /// <summary>Another current Appointment that holds the Slot (the one being written excluded).</summary>
    private static async Task<string?> OtherHolderAsync(FhirDbContext db, ResourceEntity appointment, string slot, CancellationToken ct)
    {
        var (slotId, self) = (slot["Slot/".Length..], appointment.ResourceId);
        return await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == "Appointment" && !r.IsHistory && !r.IsDeleted && r.ResourceId != self
                && db.ReferenceIndices.Any(x => x.Sid == r.Sid && x.Param == "slot" && x.TargetType == "Slot" && x.TargetId == slotId)
                && db.TokenIndices.Any(t => t.Sid == r.Sid && t.Param == "status" && HoldingCodes.Contains(t.Code)))
            .Select(r => r.ResourceId).FirstOrDefaultAsync(ct);
    }

    /// <summary>The alliance referral the Appointment is for: a basedOn ServiceRequest carrying the referral identifier.</summary>
    private async Task<ServiceRequest?> ReferralRequestAsync(FhirDbContext db, Appointment appointment, CancellationToken ct)
    {
        foreach (var basedOn in appointment.BasedOn.Select(b => b.Reference).Where(r => r?.StartsWith("ServiceRequest/", StringComparison.Ordinal) == true))
        {
            if (await StoredResources.CurrentAsync<ServiceRequest>(db, serializer, basedOn, ct) is { } request && ReferralTask.ReferralId(request) is not null)
            {
                return request;
            }
        }

        return null;
    }

    public static bool IsReserved(Slot slot) =>
        slot.Meta?.Tag.Any(t => t.System == ReferralCodes.SlotReservationSystem && t.Code == ReferralCodes.AllianceReferralSlot) == true;

    /// <summary>Whether the Appointment takes its Slots (pending, booked, arrived, checked-in or fulfilled).</summary>
    public static bool Holds(Appointment appointment) => appointment.Status is { } status && Holding.Contains(status);

    private static string Code(Slot.SlotStatus? status) => status is { } s ? Hl7.Fhir.Utility.EnumUtility.GetLiteral(s) ?? s.ToString() : "without a status";
}
