using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// Cancelling a booked referral frees its green-channel booking at the cancer hospital in the cancellation's own
/// transaction, whichever node cancels: the Appointment is cancelled (cancelationReason the Task's statusReason), the
/// Slot is free for the next patient, and the cancelled Appointment reaches the municipal hospital. Rescheduling
/// (BSeR 5.1.3) cancels the appointment alone and keeps the referral accepted.
/// </summary>
public sealed class BookingCancellationTests : IDisposable
{
    private const string TaskCodes = "http://hl7.org/fhir/CodeSystem/task-code";
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task The_placer_cancelling_a_booked_referral_frees_the_slot_for_the_next_referral()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var slot = (await AppointmentBookingTests.ReserveAsync(cancer, 1)).Single();
        var first = await DeliverAsync(municipal, cancer, "110101196103141101");
        await BookAsync(cancer, first.AtCancer, slot);

        var placed = await WaitForAsync(municipal, first.ReferralId, t => t.Status == FhirTask.TaskStatus.Accepted, "booked at the municipal hospital");
        var copy = ((ResourceReference)placed.Output.Single().Value).Reference;
        placed.Status = FhirTask.TaskStatus.Cancelled;
        placed.BusinessStatus = new CodeableConcept(Bser, "6.0", "Service Request Cancelled");
        placed.StatusReason = new CodeableConcept(StatusReasons, "patient-declined", "Patient declined") { Text = "患者选择在本地治疗 The patient chose treatment locally." };
        await UpdateAsync(municipal, placed);

        // At the cancer hospital the cancellation, the cancelled Appointment and the free Slot arrive together.
        var cancelled = await WaitForAsync(cancer, first.ReferralId, t => t.Status == FhirTask.TaskStatus.Cancelled, "cancelled at the cancer hospital");
        var original = await ReadAsync<Appointment>(cancer, ((ResourceReference)cancelled.Output.Single().Value).Reference);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, original.Status);
        Assert.Equal("patient-declined", original.CancelationReason.Coding.Single().Code);
        Assert.Equal("2", original.Meta.VersionId);
        var free = await ReadAsync<Slot>(cancer, $"Slot/{slot.Id}");
        Assert.Equal(Slot.SlotStatus.Free, free.Status);
        Assert.Equal("3", free.Meta.VersionId);

        // The municipal hospital's copy is cancelled too, and the referral's history is the same at both ends.
        await TwoNodes.EventuallyAsync(
            async () => (await ReadAsync<Appointment>(municipal, copy)).Status == Appointment.AppointmentStatus.Cancelled, "the appointment cancelled at the municipal hospital");
        Assert.Equal("patient-declined", (await ReadAsync<Appointment>(municipal, copy)).CancelationReason.Coding.Single().Code);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, first.ReferralId);
        Assert.Equal([("received", "received"), ("accepted", "5.1.1"), ("cancelled", "6.0")], await HistoryAsync(cancer, atCancer));

        // The green-channel slot goes to the next patient.
        var second = await DeliverAsync(municipal, cancer, "110101196103141102");
        await BookAsync(cancer, second.AtCancer, free);

        Assert.Equal(Slot.SlotStatus.Busy, (await ReadAsync<Slot>(cancer, $"Slot/{slot.Id}")).Status);
        Assert.Equal(1, (await cancer.SearchAsync($"Appointment?slot=Slot/{slot.Id}&status=booked&_summary=count")).Total);
        await WaitForAsync(municipal, second.ReferralId, t => t.BusinessStatus?.Coding.FirstOrDefault()?.Code == "5.1.1", "the second referral booked at the municipal hospital");
    }

    [Fact]
    public async System.Threading.Tasks.Task Answering_a_cancellation_request_frees_the_booking_and_cancelling_without_freeing_it_is_refused()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var slot = (await AppointmentBookingTests.ReserveAsync(cancer, 1)).Single();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141103");
        await BookAsync(cancer, referral.AtCancer, slot);

        await StartAsync(cancer, referral.ReferralId);
        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.InProgress, "in progress at the municipal hospital");
        var copy = ((ResourceReference)placed.Output.Single().Value).Reference;

        var abort = new FhirTask
        {
            Status = FhirTask.TaskStatus.Requested,
            Intent = FhirTask.TaskIntent.Order,
            Code = new CodeableConcept(TaskCodes, "abort"),
            Focus = new ResourceReference($"Task/{placed.Id}"),
            For = new ResourceReference(placed.For.Reference),
            Requester = new ResourceReference(TwoNodes.Municipal),
            Owner = new ResourceReference(TwoNodes.Cancer),
            ReasonCode = new CodeableConcept { Text = "患者已转往外地 The patient moved to another city." },
        };
        placed.BusinessStatus = new CodeableConcept(Bser, "5.2", "Service Request Cancellation Requested");
        using (var asked = await TransactionAsync(municipal, Post(abort, $"urn:uuid:{Guid.NewGuid():D}"), Put(placed)))
        {
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        }

        var askedThere = await WaitForAsync(cancer, referral.ReferralId, t => t.BusinessStatus.Coding[0].Code == "5.2", "cancellation requested at the cancer hospital");
        var request = (await cancer.SearchAsync($"Task?focus=Task/{askedThere.Id}&code={TaskCodes}|abort")).Matches<FhirTask>().Single();
        var appointment = ((ResourceReference)askedThere.Output.Single().Value).Reference;
        askedThere.Status = FhirTask.TaskStatus.Cancelled;
        askedThere.BusinessStatus = new CodeableConcept(Bser, "6.0", "Service Request Cancelled");
        askedThere.StatusReason = new CodeableConcept(StatusReasons, "other", "Other reason (see text)") { Text = "患者已转往外地 The patient moved to another city." };

        // A write of the Task that does not release the booking (here a conditional update) is refused, naming it.
        using (var unreleased = await cancer.PutAsync($"/fhir/Task?identifier={Referrals.System}|{referral.ReferralId}", FhirClient.Body(askedThere)))
        {
            Assert.Equal(HttpStatusCode.Conflict, unreleased.StatusCode);
            Assert.Contains(appointment, (await unreleased.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        }

        Assert.Equal(Slot.SlotStatus.Busy, (await ReadAsync<Slot>(cancer, $"Slot/{slot.Id}")).Status);
        request.Status = FhirTask.TaskStatus.Completed;
        using (var done = await TransactionAsync(cancer, Put(request), Put(askedThere)))
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        var released = await ReadAsync<Appointment>(cancer, appointment);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, released.Status);
        Assert.Equal("other", released.CancelationReason.Coding.Single().Code);
        Assert.Equal(Slot.SlotStatus.Free, (await ReadAsync<Slot>(cancer, $"Slot/{slot.Id}")).Status);

        await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Cancelled, "cancelled at the municipal hospital");
        var atMunicipal = await ReadAsync<Appointment>(municipal, copy);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, atMunicipal.Status);
        Assert.Equal("other", atMunicipal.CancelationReason.Coding.Single().Code);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal(
            [("received", "received"), ("accepted", "5.1.1"), ("in-progress", "5.1.1"), ("in-progress", "5.2"), ("cancelled", "6.0")],
            await HistoryAsync(cancer, atCancer));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_receiver_cancelling_a_booked_referral_itself_frees_the_booking()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var slot = (await AppointmentBookingTests.ReserveAsync(cancer, 1)).Single();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141104");
        await BookAsync(cancer, referral.AtCancer, slot);

        var working = await StartAsync(cancer, referral.ReferralId);
        working.Status = FhirTask.TaskStatus.Cancelled;
        working.BusinessStatus = new CodeableConcept(Bser, "6.0", "Service Request Cancelled");
        working.StatusReason = new CodeableConcept(StatusReasons, "other", "Other reason (see text)") { Text = "患者病情变化，需住院 The patient needs admission." };
        await UpdateAsync(cancer, working);

        var appointment = ((ResourceReference)working.Output.Single().Value).Reference;
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, (await ReadAsync<Appointment>(cancer, appointment)).Status);
        Assert.Equal(Slot.SlotStatus.Free, (await ReadAsync<Slot>(cancer, $"Slot/{slot.Id}")).Status);
        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Cancelled, "cancelled at the municipal hospital");
        var copy = await ReadAsync<Appointment>(municipal, ((ResourceReference)placed.Output.Single().Value).Reference);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, copy.Status);
        Assert.Equal("患者病情变化，需住院 The patient needs admission.", copy.CancelationReason.Text);
        await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
    }

    [Fact]
    public async System.Threading.Tasks.Task Rescheduling_cancels_the_appointment_keeps_the_referral_accepted_and_books_another_slot()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var slots = await AppointmentBookingTests.ReserveAsync(cancer, 2);
        var referral = await DeliverAsync(municipal, cancer, "110101196103141105");
        await BookAsync(cancer, referral.AtCancer, slots[0]);

        // BSeR 5.1.3: the appointment is cancelled and its Slot freed, the referral stays accepted.
        var accepted = await TaskAsync(cancer, referral.ReferralId);
        var first = ((ResourceReference)accepted.Output.Single().Value).Reference;
        var appointment = await ReadAsync<Appointment>(cancer, first);
        appointment.Status = Appointment.AppointmentStatus.Cancelled;
        appointment.CancelationReason = new CodeableConcept { Text = "患者要求改期 The patient asked for another day." };
        var slot = await ReadAsync<Slot>(cancer, $"Slot/{slots[0].Id}");
        slot.Status = Slot.SlotStatus.Free;
        accepted.BusinessStatus = new CodeableConcept(Bser, "5.1.3", "Appointment Cancelled");
        using (var cancelled = await TransactionAsync(cancer, Put(appointment), Put(slot), Put(accepted)))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }

        var placed = await WaitForAsync(municipal, referral.ReferralId, t => t.BusinessStatus.Coding[0].Code == "5.1.3", "appointment cancelled at the municipal hospital");
        var copy = ((ResourceReference)placed.Output.Single().Value).Reference;
        Assert.Equal(FhirTask.TaskStatus.Accepted, placed.Status);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, (await ReadAsync<Appointment>(municipal, copy)).Status);

        await BookAsync(cancer, await TaskAsync(cancer, referral.ReferralId), slots[1]);

        placed = await WaitForAsync(municipal, referral.ReferralId, t => t.BusinessStatus.Coding[0].Code == "5.1.1", "booked again at the municipal hospital");
        var second = ((ResourceReference)placed.Output.Last().Value).Reference;
        Assert.Equal(copy, ((ResourceReference)placed.Output.First().Value).Reference);
        Assert.Equal(Appointment.AppointmentStatus.Booked, (await ReadAsync<Appointment>(municipal, second)).Status);
        Assert.Equal(slots[1].Start, (await ReadAsync<Appointment>(municipal, second)).Start);
        Assert.Equal(Slot.SlotStatus.Free, (await ReadAsync<Slot>(cancer, $"Slot/{slots[0].Id}")).Status);
        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal([("received", "received"), ("accepted", "5.1.1"), ("accepted", "5.1.3"), ("accepted", "5.1.1")], await HistoryAsync(cancer, atCancer));
    }

    /// <summary>Accepts the referral at the cancer hospital and books it into <paramref name="slot"/>, in one transaction that must succeed.</summary>
    private static async System.Threading.Tasks.Task BookAsync(HttpClient cancer, FhirTask atCancer, Slot slot)
    {
        using var booked = await TransactionAsync(cancer, AppointmentBookingTests.AcceptAndBook(atCancer, slot));
        Assert.Equal(HttpStatusCode.OK, booked.StatusCode);
    }

    /// <summary>The cancer hospital starts work on the booked referral (in-progress); its Task as stored.</summary>
    private static async Task<FhirTask> StartAsync(HttpClient cancer, string referralId)
    {
        var working = await TaskAsync(cancer, referralId);
        working.Status = FhirTask.TaskStatus.InProgress;
        return await UpdateAsync(cancer, working);
    }

    private static async Task<T> ReadAsync<T>(HttpClient client, string reference)
        where T : Resource
    {
        using var response = await client.GetAsync($"/fhir/{reference}");
        return await response.ReadAsync<T>();
    }

    public void Dispose() => _nodes.Dispose();
}
