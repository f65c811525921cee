using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// The green channel: the cancer hospital's Slots reserved for alliance referrals (meta.tag slot-reservation|alliance-referral);
/// the specialist accepts a referral and books it in one transaction (Task accepted with the Appointment as output,
/// Appointment booked from the Slot, Slot set busy), and the Appointment travels back to the municipal hospital.
/// </summary>
public sealed class AppointmentBookingTests
{
    private const string Reservation = "http://fhir.alliance.example/CodeSystem/slot-reservation";
    private static readonly CodeableConcept Outpatient = new("http://terminology.hl7.org/CodeSystem/service-type", "124", "General Practice") { Text = "胸外科门诊 Thoracic surgery outpatient" };

    [Fact]
    public async System.Threading.Tasks.Task Accepting_books_a_reserved_slot_and_the_appointment_travels_back_to_the_placer()
    {
        using var nodes = new TwoNodes();
        nodes.StartCancerNode();
        using var municipal = nodes.MunicipalNode.CreateClient();
        using var cancer = nodes.CancerNode.CreateClient();
        var slot = (await ReserveAsync(cancer, 1)).Single();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141005");

        using (var booked = await TransactionAsync(cancer, AcceptAndBook(referral.AtCancer, slot)))
        {
            Assert.Equal(HttpStatusCode.OK, booked.StatusCode);
        }

        var busy = await (await cancer.GetAsync($"/fhir/Slot/{slot.Id}")).ReadAsync<Slot>();
        Assert.Equal(Slot.SlotStatus.Busy, busy.Status);
        Assert.Equal("2", busy.Meta.VersionId);
        var atCancer = await TaskAsync(cancer, referral.ReferralId);
        var original = await (await cancer.GetAsync($"/fhir/{((ResourceReference)atCancer.Output.Single().Value).Reference}")).ReadAsync<Appointment>();
        Assert.Equal($"Slot/{slot.Id}", original.Slot.Single().Reference);

        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Accepted, "accepted at the municipal hospital");
        Assert.Equal("5.1.1", placed.BusinessStatus.Coding.Single().Code);
        var output = placed.Output.Single();
        Assert.Equal("appointment", output.Type.Coding.Single().Code);
        var appointment = await (await municipal.GetAsync($"/fhir/{((ResourceReference)output.Value).Reference}")).ReadAsync<Appointment>();
        Assert.Equal(Appointment.AppointmentStatus.Booked, appointment.Status);
        Assert.Equal(slot.Start, appointment.Start);
        Assert.Equal($"Patient/{referral.Patient.Id}", appointment.Participant.Single(p => p.Actor.Reference?.StartsWith("Patient/", StringComparison.Ordinal) == true).Actor.Reference);
        Assert.Equal(placed.Focus.Reference, appointment.BasedOn.Single().Reference);
        Assert.Equal($"{TwoNodes.Cancer}/Slot/{slot.Id}", appointment.Slot.Single().Identifier.Value);
        Assert.Contains(appointment.Identifier, i => i.System == SourceRecord && i.Value == $"{TwoNodes.Cancer}/Appointment/{original.Id}");
        Assert.Equal(1, (await municipal.SearchAsync($"Appointment?patient=Patient/{referral.Patient.Id}&_summary=count")).Total);

        var (_, agreed) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal([("received", "received"), ("accepted", "5.1.1")], await HistoryAsync(cancer, agreed));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_busy_or_unreserved_slot_is_refused_naming_it_and_nothing_is_written()
    {
        using var nodes = new TwoNodes();
        nodes.StartCancerNode();
        using var municipal = nodes.MunicipalNode.CreateClient();
        using var cancer = nodes.CancerNode.CreateClient();
        var slots = await ReserveAsync(cancer, 2);
        var unreserved = await cancer.CreateAsync(NewSlot(slots[0].Schedule.Reference, slots[0].Start!.Value.AddHours(3), reserved: false));
        var first = await DeliverAsync(municipal, cancer, "110101196103141006");
        var second = await DeliverAsync(municipal, cancer, "110101196103141007");
        using (var booked = await TransactionAsync(cancer, AcceptAndBook(first.AtCancer, slots[0])))
        {
            Assert.Equal(HttpStatusCode.OK, booked.StatusCode);
        }

        var busy = await (await cancer.GetAsync($"/fhir/Slot/{slots[0].Id}")).ReadAsync<Slot>();
        await RefusedAsync(cancer, HttpStatusCode.Conflict, $"Slot/{slots[0].Id}", AcceptAndBook((FhirTask)second.AtCancer.DeepCopy(), busy));
        await RefusedAsync(cancer, HttpStatusCode.UnprocessableEntity, $"Slot/{unreserved.Id}", AcceptAndBook((FhirTask)second.AtCancer.DeepCopy(), unreserved));
        var notMarked = AcceptAndBook((FhirTask)second.AtCancer.DeepCopy(), slots[1]);
        await RefusedAsync(cancer, HttpStatusCode.UnprocessableEntity, $"Slot/{slots[1].Id}", notMarked[0], notMarked[1]);

        // A reserved slot is for referrals only.
        var walkIn = AcceptAndBook((FhirTask)second.AtCancer.DeepCopy(), slots[1]);
        ((Appointment)walkIn[0].Resource).BasedOn.Clear();
        await RefusedAsync(cancer, HttpStatusCode.UnprocessableEntity, $"Slot/{slots[1].Id}", walkIn[0], walkIn[2]);

        Assert.Equal("1", (await TaskAsync(cancer, second.ReferralId)).Meta.VersionId);
        Assert.Equal(1, (await cancer.SearchAsync("Appointment?_summary=count")).Total);
        Assert.Equal(Slot.SlotStatus.Free, (await (await cancer.GetAsync($"/fhir/Slot/{slots[1].Id}")).ReadAsync<Slot>()).Status);
        Assert.Equal(FhirTask.TaskStatus.Received, (await TaskAsync(municipal, second.ReferralId)).Status);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSql")]
    public async System.Threading.Tasks.Task Two_acceptances_at_once_cannot_book_the_same_slot(string provider)
    {
        using var nodes = new TwoNodes(provider);
        nodes.StartCancerNode();
        using var municipal = nodes.MunicipalNode.CreateClient();
        using var cancer = nodes.CancerNode.CreateClient();
        var slot = (await ReserveAsync(cancer, 1)).Single();
        var first = await DeliverAsync(municipal, cancer, "110101196103141008");
        var second = await DeliverAsync(municipal, cancer, "110101196103141009");

        var answers = await System.Threading.Tasks.Task.WhenAll(
            TransactionAsync(cancer, AcceptAndBook(first.AtCancer, (Slot)slot.DeepCopy())),
            TransactionAsync(cancer, AcceptAndBook(second.AtCancer, (Slot)slot.DeepCopy())));
        try
        {
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
            Assert.Contains($"Slot/{slot.Id}", (await loser.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }

        Assert.Equal(1, (await cancer.SearchAsync($"Appointment?slot=Slot/{slot.Id}&_summary=count")).Total);
        var (winner, other) = answers[0].StatusCode == HttpStatusCode.OK ? (first, second) : (second, first);
        await WaitForAsync(municipal, winner.ReferralId, t => t.Status == FhirTask.TaskStatus.Accepted, "the booked referral accepted at the municipal hospital");
        Assert.Equal("1", (await TaskAsync(cancer, other.ReferralId)).Meta.VersionId);
        await AssertAgreeAsync(municipal, cancer, winner.ReferralId);
        await AssertAgreeAsync(municipal, cancer, other.ReferralId);
    }

    /// <summary>A Schedule of the thoracic outpatient clinic with <paramref name="count"/> free Slots reserved for alliance referrals.</summary>
    internal static async Task<List<Slot>> ReserveAsync(HttpClient cancer, int count)
    {
        var clinic = await cancer.CreateAsync(new Location
        {
            Status = Location.LocationStatus.Active,
            Name = "胸外科门诊 Thoracic surgery outpatient clinic",
            ManagingOrganization = new ResourceReference(TwoNodes.Cancer),
        });
        var schedule = await cancer.CreateAsync(new Schedule
        {
            Meta = new Meta { Tag = [new Coding(Reservation, "alliance-referral", "Reserved for alliance referrals (green channel)")] },
            Active = true,
            ServiceType = [Outpatient],
            Actor = [new ResourceReference($"Location/{clinic.Id}")],
            Comment = "医联体绿色通道 Alliance green channel",
        });
        var start = new DateTimeOffset(2026, 12, 8, 8, 30, 0, TimeSpan.FromHours(8));
        var slots = new List<Slot>();
        for (var i = 0; i < count; i++)
        {
            slots.Add(await cancer.CreateAsync(NewSlot($"Schedule/{schedule.Id}", start.AddMinutes(30 * i), reserved: true)));
        }

        return slots;
    }

    private static Slot NewSlot(string schedule, DateTimeOffset start, bool reserved) => new()
    {
        Meta = reserved ? new Meta { Tag = [new Coding(Reservation, "alliance-referral")] } : null,
        Schedule = new ResourceReference(schedule),
        Status = Slot.SlotStatus.Free,
        ServiceType = [Outpatient],
        Start = start,
        End = start.AddMinutes(30),
    };

    /// <summary>The specialist's one transaction: Appointment booked from the Slot (POST), Task accepted naming it (PUT), Slot busy (PUT).</summary>
    internal static Bundle.EntryComponent[] AcceptAndBook(FhirTask task, Slot slot)
    {
        var appointmentUrl = $"urn:uuid:{Guid.NewGuid():D}";
        var appointment = new Appointment
        {
            Status = Appointment.AppointmentStatus.Booked,
            ServiceType = [.. slot.ServiceType],
            Description = "胸外科首诊 First thoracic surgery visit",
            Start = slot.Start,
            End = slot.End,
            Slot = [new ResourceReference($"Slot/{slot.Id}")],
            BasedOn = [new ResourceReference(task.Focus.Reference)],
            Participant =
            [
                new Appointment.ParticipantComponent { Actor = new ResourceReference(task.For.Reference), Status = ParticipationStatus.Accepted },
            ],
        };
        task.Status = FhirTask.TaskStatus.Accepted;
        task.BusinessStatus = new CodeableConcept(Bser, "5.1.1", "Appointment Scheduled");
        task.Output.Add(new FhirTask.OutputComponent { Type = new CodeableConcept(ParameterTypes, "appointment"), Value = new ResourceReference(appointmentUrl) });
        slot.Status = Slot.SlotStatus.Busy;
        return [Post(appointment, appointmentUrl), Put(task), Put(slot)];
    }

    private static async System.Threading.Tasks.Task RefusedAsync(HttpClient cancer, HttpStatusCode expected, string naming, params Bundle.EntryComponent[] entries)
    {
        using var response = await TransactionAsync(cancer, entries);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        Assert.Contains(naming, (await response.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }
}
