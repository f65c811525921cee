using Hl7.Fhir.Model;
using Referral.Workflow;

namespace Referral.Web.DemoData;

/// <summary>
/// The green channel (绿色通道): an outpatient clinic's Schedule and free Slots over the next five working days, all
/// tagged as reserved for alliance referrals, so an accepted referral can be booked at once.
/// </summary>
internal static class DemoGreenChannel
{
    private static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    public static IEnumerable<Resource> Reserve(string organization, int slotsPerDay, DateTimeOffset today, Func<Resource, ResourceReference> stage)
    {
        var clinic = stage(new Location
        {
            Status = Location.LocationStatus.Active,
            Name = "肿瘤专科门诊（医联体绿色通道） Oncology outpatient clinic (alliance green channel)",
            ManagingOrganization = new ResourceReference(organization),
        });
        var schedule = stage(new Schedule
        {
            Meta = new Meta { Tag = [Reserved()] },
            Active = true,
            ServiceType = [Outpatient()],
            Actor = [clinic],
            Comment = "医联体转诊预留号源 Slots reserved for alliance referrals",
        });
        var day = new DateTimeOffset(today.ToOffset(ChinaTime).Date, ChinaTime);
        for (var added = 0; added < 5;)
        {
            day = day.AddDays(1);
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            added++;
            for (var i = 0; i < slotsPerDay; i++)
            {
                var start = day.AddHours(8.5).AddMinutes(30 * i);
                yield return new Slot
                {
                    Meta = new Meta { Tag = [Reserved()] },
                    Schedule = schedule,
                    Status = Slot.SlotStatus.Free,
                    ServiceType = [Outpatient()],
                    Start = start,
                    End = start.AddMinutes(30),
                };
            }
        }
    }

    private static Coding Reserved() => new(ReferralCodes.SlotReservationSystem, ReferralCodes.AllianceReferralSlot, "Reserved for alliance referrals (green channel)");

    private static CodeableConcept Outpatient() => DemoCodes.Coded(DemoCodes.Snomed, "394593009", "Medical oncology", "肿瘤专科门诊 Oncology outpatient");
}
