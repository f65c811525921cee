using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using FhirTask = Hl7.Fhir.Model.Task;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// Service levels at two real nodes: the receiver stamps each referral it files with its answer deadline
/// (<c>Task.restriction.period</c>, from the received time), the deadline travels back to the placer, and the
/// <c>due</c> search lists the late ones until they are answered. Deadlines lie hours ahead, so "late" is asked as of
/// a chosen instant (what a coordinator would see then), never by waiting.
/// </summary>
public abstract class ServiceLevelTests(string provider) : IDisposable
{
    private readonly TwoNodes _nodes = new(provider);

    /// <summary>A coordinator's late list: referrals owned (or placed) by the organisation, not yet answered, past their deadline at <paramref name="at"/>.</summary>
    public static string Late(string party, string organization, DateTimeOffset at) =>
        $"Task?{party}={organization}&status=requested,received&due=lt{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";

    [Fact]
    public async System.Threading.Tasks.Task A_routine_and_an_urgent_referral_get_their_deadlines_at_both_nodes_and_are_late_until_answered()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient(await _nodes.UserTokenAsync(_nodes.MunicipalNode, "coordinator"));
        using var doctor = _nodes.MunicipalNode.CreateClient(await _nodes.UserTokenAsync(_nodes.MunicipalNode, "doctor"));
        using var coordinator = _nodes.CancerNode.CreateClient(await _nodes.UserTokenAsync(_nodes.CancerNode, "coordinator"));
        using var specialist = _nodes.CancerNode.CreateClient(await _nodes.UserTokenAsync(_nodes.CancerNode, "specialist"));

        var routine = await SubmitAsync(doctor, "110101196103141001", RequestPriority.Routine);
        var urgent = await SubmitAsync(doctor, "110101196103141002", RequestPriority.Urgent);

        // The receiver's deadlines: received time + 24 h (routine), + 4 h (urgent), the defaults.
        var routineAtCancer = await ReferralSteps.WaitForAsync(coordinator, routine, t => t.Status == TaskStatus.Received, "the routine referral filed");
        var urgentAtCancer = await ReferralSteps.WaitForAsync(coordinator, urgent, t => t.Status == TaskStatus.Received, "the urgent referral filed");
        var (routineReceived, routineDue) = Deadline(routineAtCancer);
        var (urgentReceived, urgentDue) = Deadline(urgentAtCancer);
        Assert.Equal(TimeSpan.FromHours(24), routineDue - routineReceived);
        Assert.Equal(TimeSpan.FromHours(4), urgentDue - urgentReceived);

        // The placer holds the same deadlines: they came back with the "received" acknowledgement.
        var routineAtMunicipal = await ReferralSteps.WaitForAsync(municipal, routine, t => t.Status == TaskStatus.Received, "the routine referral acknowledged");
        var urgentAtMunicipal = await ReferralSteps.WaitForAsync(municipal, urgent, t => t.Status == TaskStatus.Received, "the urgent referral acknowledged");
        Assert.Equal(routineAtCancer.Restriction.Period.End, routineAtMunicipal.Restriction.Period.End);
        Assert.Equal(urgentAtCancer.Restriction.Period.End, urgentAtMunicipal.Restriction.Period.End);

        // The deadline is the receiver's: an update that moves it is refused, naming the element, and nothing changes.
        var moved = (FhirTask)routineAtMunicipal.DeepCopy();
        moved.Restriction.Period.End = new FhirDateTime(routineDue.AddDays(7)).Value;
        using (var refused = await doctor.PutAsync($"/fhir/Task/{moved.Id}", FhirClient.Body(moved)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("Task.restriction.period", (await OutcomeAssert.RefusedAsync(refused)).Issue[0].Expression.Single());
        }

        Assert.Equal(routineAtMunicipal.Meta.VersionId, (await ReferralSteps.TaskAsync(municipal, routine)).Meta.VersionId);

        // Nothing is late yet; five hours on, the urgent one is; a day on, both are: at the receiver and at the placer.
        var fiveHoursOn = urgentReceived.AddHours(5);
        var dayOn = routineReceived.AddHours(25);
        Assert.Empty(await LateAtBothAsync(municipal, coordinator, DateTimeOffset.UtcNow));
        Assert.Equal([urgent], await LateAtBothAsync(municipal, coordinator, fiveHoursOn));
        Assert.Equal(new[] { routine, urgent }.Order(StringComparer.Ordinal), await LateAtBothAsync(municipal, coordinator, dayOn));

        // Answering takes a referral off the late list; the deadline stays as it was, at both nodes.
        var accepted = await ReferralSteps.TaskAsync(specialist, urgent);
        accepted.Status = TaskStatus.Accepted;
        await ReferralSteps.UpdateAsync(specialist, accepted);
        var acceptedAtMunicipal = await ReferralSteps.WaitForAsync(municipal, urgent, t => t.Status == TaskStatus.Accepted, "the acceptance at the municipal hospital");
        Assert.Equal(urgentAtCancer.Restriction.Period.End, acceptedAtMunicipal.Restriction.Period.End);
        Assert.Equal([routine], await LateAtBothAsync(municipal, coordinator, dayOn));

        var rejected = await ReferralSteps.TaskAsync(specialist, routine);
        rejected.Status = TaskStatus.Rejected;
        rejected.StatusReason = new CodeableConcept(ReferralSteps.StatusReasons, "no-capacity", "No capacity");
        await ReferralSteps.UpdateAsync(specialist, rejected);
        await ReferralSteps.WaitForAsync(municipal, routine, t => t.Status == TaskStatus.Rejected, "the rejection at the municipal hospital");
        Assert.Empty(await LateAtBothAsync(municipal, coordinator, dayOn));
        Assert.Equal(routineAtCancer.Restriction.Period.End, (await ReferralSteps.TaskAsync(coordinator, routine)).Restriction.Period.End);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_status_message_from_the_placer_never_moves_the_receivers_deadline()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await ReferralSteps.DeliverAsync(municipal, cancer, "110101196103141003");
        var due = referral.AtCancer.Restriction.Period.End;

        // The placer node's message as it would send it, but with the deadline a week later.
        var state = (FhirTask)referral.AtMunicipal.DeepCopy();
        (state.Id, state.Meta, state.For, state.Focus) = (null, null, null, null);
        state.Restriction.Period.End = new FhirDateTime(Deadline(referral.AtCancer).Due.AddDays(7)).Value;
        state.Note = [new Annotation { Text = "请尽快安排 please schedule soon" }];
        var message = ReferralSteps.PartnerMessage("moved", ReferralSteps.PutWhere(state, $"Task?identifier={Referrals.System}|{referral.ReferralId}"));
        using var placer = _nodes.CancerNode.CreateClient(await _nodes.CancerNode.TokenAsync("municipal-hospital-node", "municipal-node-test-secret"));
        using (var applied = await placer.PostAsync("/fhir", FhirClient.Body(message)))
        {
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        // The rest of the message applied (its note); the deadline is still the receiver's.
        var after = await ReferralSteps.TaskAsync(cancer, referral.ReferralId);
        Assert.Equal("请尽快安排 please schedule soon", after.Note.Single().Text);
        Assert.Equal(due, after.Restriction.Period.End);
    }

    /// <summary>A referral (ServiceRequest of the given priority, and its Task stating none) of a new patient, from the municipal doctor.</summary>
    public static async Task<string> SubmitAsync(HttpClient doctor, string residentId, RequestPriority priority)
    {
        var patient = await doctor.CreateAsync(Referrals.Patient(residentId));
        var referralId = Guid.NewGuid().ToString("N");
        var bundle = Referrals.Submit(patient.Id, referralId);
        bundle.Entry.Select(e => e.Resource).OfType<ServiceRequest>().Single().Priority = priority;
        using var submitted = await doctor.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return referralId;
    }

    /// <summary>(received, answer deadline) from the Task's restriction period.</summary>
    public static (DateTimeOffset Received, DateTimeOffset Due) Deadline(FhirTask task) =>
        (DateTimeOffset.Parse(task.Restriction.Period.Start, CultureInfo.InvariantCulture), DateTimeOffset.Parse(task.Restriction.Period.End, CultureInfo.InvariantCulture));

    /// <summary>The late referrals as of <paramref name="at"/>, which the receiver's and the placer's coordinator both see alike.</summary>
    private static async Task<List<string>> LateAtBothAsync(HttpClient municipal, HttpClient cancer, DateTimeOffset at)
    {
        var atCancer = ReferralIds(await cancer.SearchAsync(Late("owner", TwoNodes.Cancer, at)));
        var atMunicipal = ReferralIds(await municipal.SearchAsync(Late("requester", TwoNodes.Municipal, at)));
        Assert.Equal(atCancer, atMunicipal);
        return atCancer;
    }

    private static List<string> ReferralIds(Bundle bundle) =>
        [.. bundle.Matches<FhirTask>().Select(t => t.Identifier.Single(i => i.System == Referrals.System).Value).Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        _nodes.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteServiceLevelTests() : ServiceLevelTests("Sqlite");

public sealed class PostgresServiceLevelTests() : ServiceLevelTests("PostgreSql");
