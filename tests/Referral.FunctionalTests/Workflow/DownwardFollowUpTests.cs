using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// The downward referral worked at the municipal hospital: accepting it turns each scheduled activity of the follow-up
/// CarePlan into a follow-up ServiceRequest and a coordinator's to-do Task in the same transaction (once, however often
/// it is accepted or delivered), and the municipal hospital then takes it in progress and completes it, both nodes
/// agreeing version for version. On both storage providers.
/// </summary>
public abstract class DownwardFollowUpTests(string provider) : IDisposable
{
    private const string FollowUp = "http://fhir.alliance.example/identifier/follow-up";
    private const string Fulfill = "http://hl7.org/fhir/CodeSystem/task-code|fulfill";
    private readonly TwoNodes _nodes = new(provider);

    [Fact]
    public async System.Threading.Tasks.Task Accepting_plans_the_follow_ups_once_and_the_municipal_hospital_completes_the_downward_referral()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var coordinatorToken = await _nodes.UserTokenAsync(_nodes.MunicipalNode, "coordinator");
        using var coordinator = _nodes.MunicipalNode.CreateClient(coordinatorToken);
        await using var coordinatorDesk = await WorklistListener.ConnectAsync(_nodes.MunicipalUrl, coordinatorToken);
        await using var doctorDesk = await WorklistListener.ConnectAsync(_nodes.MunicipalUrl, await _nodes.UserTokenAsync(_nodes.MunicipalNode, "doctor"));
        var up = await DeliverAsync(municipal, cancer, "110101196103142471");
        var treating = up.AtCancer;
        treating.Status = TaskStatus.Accepted;
        treating.BusinessStatus = new CodeableConcept(Bser, "3.0");
        treating = await UpdateAsync(cancer, treating);
        treating.Status = TaskStatus.InProgress;
        await UpdateAsync(cancer, treating);

        // The follow-up plan with a dated check-up and one without a date; a second plan with no scheduled activity.
        var patientThere = treating.For.Reference["Patient/".Length..];
        await cancer.CreateAsync(DownwardReferrals.SharingConsent(patientThere, TwoNodes.Municipal));
        var followUp = DownwardReferrals.FollowUpPlan(patientThere);
        followUp.Activity.Add(Activity("复查血常规 Full blood count", new Period(new FhirDateTime("2027-01-10"), new FhirDateTime("2027-01-20"))));
        followUp.Activity.Add(Activity("康复锻炼 Breathing exercises", null));
        var followUpPlan = await cancer.CreateAsync(followUp);
        var advice = await cancer.CreateAsync(new CarePlan
        {
            Status = RequestStatus.Active,
            Intent = CarePlan.CarePlanIntent.Plan,
            Title = "警示症状 Warning signs",
            Subject = new ResourceReference($"Patient/{patientThere}"),
            Author = new ResourceReference(TwoNodes.Cancer),
            Activity = [Activity("出现咯血、胸痛或发热立即就诊 Come back with haemoptysis, chest pain or fever", new FhirString("出现症状时 When symptoms appear"))],
        });
        var downId = Guid.NewGuid().ToString("N");
        await ReferralDocuments.PostTransactionAsync(cancer, DownwardReferrals.Refer(patientThere, downId, up.ReferralId, $"CarePlan/{followUpPlan.Id}", $"CarePlan/{advice.Id}"));
        var inbound = await WaitForAsync(municipal, downId, t => t.Status == TaskStatus.Received, "the downward referral at the municipal hospital");
        await WaitForAsync(cancer, downId, t => t.Status == TaskStatus.Received, "the downward referral acknowledged");
        var plans = (await municipal.SearchAsync($"CarePlan?subject=Patient/{up.Patient.Id}")).Matches<CarePlan>().ToList();
        var (plan, warnings) = (plans.Single(p => p.Activity.Count == 5), plans.Single(p => p.Activity.Count == 1));
        Assert.Equal(0, await CountAsync(municipal, $"ServiceRequest?based-on=CarePlan/{plan.Id}"));

        // Accepted: one follow-up and one to-do per dated activity, with the plan's dates.
        inbound.Status = TaskStatus.Accepted;
        inbound.BusinessStatus = new CodeableConcept(Bser, "3.0", "Service Request Accepted");
        var accepted = await UpdateAsync(municipal, inbound);
        var requests = (await municipal.SearchAsync($"ServiceRequest?based-on=CarePlan/{plan.Id}")).Matches<ServiceRequest>()
            .OrderBy(r => r.Identifier.Single().Value, StringComparer.Ordinal).ToList();
        Assert.Equal([.. Enumerable.Range(0, 4).Select(i => $"CarePlan/{plan.Id}/activity/{i}")], requests.Select(r => r.Identifier.Single(i => i.System == FollowUp).Value));
        foreach (var request in requests)
        {
            Assert.Equal((RequestStatus.Active, RequestIntent.Order), (request.Status!.Value, request.Intent!.Value));
            Assert.Equal($"Patient/{up.Patient.Id}", request.Subject.Reference);
            Assert.Equal(TwoNodes.Municipal, request.Performer.Single().Reference);
            Assert.Equal(TwoNodes.Cancer, request.Requester.Reference);
        }

        Assert.Equal("1834-1", requests[0].Code.Coding.Single().Code);
        Assert.Equal(Timing.UnitsOfTime.Mo, ((Timing)requests[0].Occurrence).Repeat.PeriodUnit);
        Assert.Equal("肝脏超声 Liver ultrasound", requests[1].Code.Text);
        Assert.Equal("2027-06-15", ((Timing)requests[2].Occurrence).Event.Single());
        Assert.Equal("2027-01-20", ((Period)requests[3].Occurrence).End);
        Assert.Equal(0, await CountAsync(municipal, $"ServiceRequest?based-on=CarePlan/{warnings.Id}"));

        var worklist = await coordinator.SearchAsync($"Task?code={Fulfill}&owner={TwoNodes.Municipal}&status=requested&_include=Task:focus");
        var todos = worklist.Matches<FhirTask>().OrderBy(t => t.Identifier.Single().Value, StringComparer.Ordinal).ToList();
        Assert.Equal(requests.Select(r => $"ServiceRequest/{r.Id}"), todos.Select(t => t.Focus.Reference));
        Assert.Equal(["2026-12-15", "2026-12-15", "2027-06-15", "2027-01-20"], todos.Select(t => t.Restriction.Period.End));
        Assert.All(todos, t => Assert.Equal((TwoNodes.Municipal, $"Patient/{up.Patient.Id}"), (t.Owner.Reference, t.For.Reference)));
        Assert.Equal(4, worklist.Entry.Count(e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource is ServiceRequest));

        // The coordinators' live worklist hears of each to-do with its due date; a doctor's does not.
        await coordinatorDesk.WaitForFollowUpsAsync(f => f.Count >= 4, "the follow-up to-dos on the coordinator's worklist");
        Assert.Equal(todos.Select(t => $"{t.Id} {t.Restriction.Period.End}").Order(StringComparer.Ordinal), coordinatorDesk.FollowUps.Select(f => $"{f.TaskId} {f.Due}").Order(StringComparer.Ordinal));
        Assert.All(coordinatorDesk.FollowUps, f => Assert.Equal(("requested", 1), (f.Status, f.Version)));
        Assert.Empty(doctorDesk.FollowUps);

        // Accepted again, and the package delivered again: nothing is planned twice.
        accepted.Note = [new Annotation { Text = "已电话通知患者 Patient informed by phone" }];
        accepted = await UpdateAsync(municipal, accepted);
        var package = (await OutboxAsync(_nodes.CancerNode)).First(m => m.StreamKey == downId);
        using (var partner = _nodes.MunicipalNode.CreateClient(await _nodes.MunicipalNode.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret")))
        using (var again = await partner.PostAsync("/fhir", FhirClient.Body(package.Payload)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Contains("already", (await again.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        }

        Assert.Equal(4, await CountAsync(municipal, $"ServiceRequest?based-on=CarePlan/{plan.Id}"));
        Assert.Equal(4, await CountAsync(municipal, $"Task?code={Fulfill}"));

        // The loop closes, and the municipal hospital works the downward referral to its end.
        await WaitForAsync(municipal, up.ReferralId, t => t.Status == TaskStatus.Completed, "the upward referral completed at the municipal hospital");
        await WaitForAsync(cancer, downId, t => t.Note.Count == 1, "the second acceptance at the cancer hospital");
        accepted.Status = TaskStatus.InProgress;
        accepted = await UpdateAsync(municipal, accepted);
        await WaitForAsync(cancer, downId, t => t.Status == TaskStatus.InProgress, "in progress at the cancer hospital");
        accepted.Status = TaskStatus.Completed;
        accepted.BusinessStatus = new CodeableConcept(Bser, "7.0", "Service Request Fulfillment Completed");
        await UpdateAsync(municipal, accepted);
        await WaitForAsync(cancer, downId, t => t.Status == TaskStatus.Completed, "completed at the cancer hospital");

        var (atCancer, atMunicipal) = (await TaskAsync(cancer, downId), await TaskAsync(municipal, downId));
        Assert.Equal("7.0", atCancer.BusinessStatus.Coding.Single().Code);
        var (placer, receiver) = (await HistoryAsync(cancer, atCancer), await HistoryAsync(municipal, atMunicipal));
        Assert.Equal("requested", placer[0].Status);
        Assert.Equal(placer.Skip(1), receiver);
        Assert.Equal([("received", "received"), ("accepted", "3.0"), ("accepted", "3.0"), ("in-progress", "3.0"), ("completed", "7.0")], receiver);
    }

    private static CarePlan.ActivityComponent Activity(string what, DataType? when) => new()
    {
        Detail = new CarePlan.DetailComponent
        {
            Kind = CarePlan.CarePlanActivityKind.ServiceRequest,
            Code = new CodeableConcept { Text = what },
            Status = when is null ? CarePlan.CarePlanActivityStatus.NotStarted : CarePlan.CarePlanActivityStatus.Scheduled,
            Scheduled = when,
        },
    };

    private static async Task<int?> CountAsync(HttpClient client, string query) =>
        (await client.SearchAsync($"{query}&_summary=count")).Total;

    public void Dispose()
    {
        _nodes.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteDownwardFollowUpTests() : DownwardFollowUpTests("Sqlite");

public sealed class PostgresDownwardFollowUpTests() : DownwardFollowUpTests("PostgreSql");
