using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// The whole two-way loop between two real nodes: referred up with the letter, accepted and treated at the cancer
/// hospital, referred back down with the discharge summary, its PDF and the follow-up plan; the municipal hospital's
/// acceptance closes the loop, and both nodes agree on every Task. On both storage providers.
/// </summary>
public abstract class DownwardReferralTests(string provider) : IDisposable
{
    private const string Bser = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS";
    private readonly TwoNodes _nodes = new(provider);

    [Fact]
    public async System.Threading.Tasks.Task Accepting_the_downward_referral_closes_the_loop_with_both_nodes_agreeing()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103142468"));
        var upId = Guid.NewGuid().ToString("N");
        await ReferralDocuments.SubmitWithLetterAsync(municipal, patient.Id, upId);

        // Up: received by the package, accepted and treated at the cancer hospital.
        await TwoNodes.EventuallyAsync(async () => await FindTaskAsync(cancer, upId) is not null, "the upward referral at the cancer hospital");
        await MoveAsync(cancer, upId, TaskStatus.Accepted, "3.0");
        var treated = (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103142468")).Matches<Patient>().Single();
        await cancer.CreateAsync(DownwardReferrals.SharingConsent(treated.Id, TwoNodes.Municipal));
        var plan = await cancer.CreateAsync(DownwardReferrals.FollowUpPlan(treated.Id));
        var summary = await cancer.CreateAsync(DownwardReferrals.DischargeSummary(treated.Id, plan.Id));
        using var rendered = await cancer.PostAsync($"/fhir/Composition/{summary.Id}/$render-pdf", null);
        Assert.True(rendered.StatusCode == HttpStatusCode.Created, await rendered.Content.ReadAsStringAsync());
        var summaryPdf = await rendered.ReadAsync<DocumentReference>();
        var downId = Guid.NewGuid().ToString("N");
        var down = DownwardReferrals.Refer(treated.Id, downId, upId, $"Composition/{summary.Id}", $"DocumentReference/{summaryPdf.Id}", $"CarePlan/{plan.Id}");

        // Only a referral under treatment can be answered by a downward one.
        using (var early = await cancer.PostAsync("/fhir", FhirClient.Body(down)))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Equal("Task.basedOn", (await OutcomeAssert.RefusedAsync(early)).Issue[0].Expression.Single());
        }

        await MoveAsync(cancer, upId, TaskStatus.InProgress, null);
        await ReferralDocuments.PostTransactionAsync(cancer, down);

        // Down: the package is filed under the municipal hospital's own patient, documents and plan with it.
        await TwoNodes.EventuallyAsync(async () => await FindTaskAsync(municipal, downId) is not null, "the downward referral at the municipal hospital");
        var inbound = await TaskAsync(municipal, downId);
        Assert.Equal($"Patient/{patient.Id}", inbound.For.Reference);
        Assert.Equal(TaskStatus.Received, inbound.Status);
        var composition = (await municipal.SearchAsync($"Composition?subject=Patient/{patient.Id}")).Matches<Composition>().Single();
        Assert.Equal(DownwardReferrals.SummaryProfile, composition.Meta.Profile.Single());
        Assert.Equal(["11535-2", "8648-8", "10184-0", "18776-5"], composition.Section.Select(s => s.Code.Coding[0].Code));
        var carePlan = (await municipal.SearchAsync($"CarePlan?subject=Patient/{patient.Id}")).Matches<CarePlan>().Single();
        Assert.Equal($"CarePlan/{carePlan.Id}", composition.Section[3].Entry.Single().Reference);
        Assert.Equal(3, carePlan.Activity.Count);
        Assert.Equal(Timing.UnitsOfTime.Mo, ((Timing)carePlan.Activity[0].Detail.Scheduled).Repeat.PeriodUnit);
        var pdf = (await municipal.SearchAsync($"DocumentReference?subject=Patient/{patient.Id}&type={ReferralDocuments.Loinc}|18842-5")).Matches<DocumentReference>().Single();
        Assert.Equal($"Composition/{composition.Id}", pdf.Context.Related.Single().Reference);
        var text = ReferralDocuments.PdfText(ReferralDocuments.Pdf(pdf));
        Assert.Contains("王建国", text, StringComparison.Ordinal);
        Assert.Contains("右肺上叶腺癌", text, StringComparison.Ordinal);
        Assert.Contains("甲胎蛋白AFP", text, StringComparison.Ordinal);
        Assert.Contains("every3months", text, StringComparison.Ordinal);

        // The municipal hospital accepts: the loop closes.
        await MoveAsync(municipal, downId, TaskStatus.Accepted, "3.0");
        await TwoNodes.EventuallyAsync(async () => (await TaskAsync(municipal, upId)).Status == TaskStatus.Completed, "the upward referral completed at the municipal hospital");
        await TwoNodes.EventuallyAsync(async () => (await TaskAsync(cancer, downId)).Status == TaskStatus.Accepted, "the downward referral accepted at the cancer hospital");

        var closed = await TaskAsync(cancer, upId);
        Assert.Equal(TaskStatus.Completed, closed.Status);
        Assert.Equal("7.0", closed.BusinessStatus.Coding.Single().Code);
        Assert.Equal(downId, ((ResourceReference)closed.Output.Single().Value).Identifier.Value);
        foreach (var referral in new[] { upId, downId })
        {
            var (here, there) = (await TaskAsync(municipal, referral), await TaskAsync(cancer, referral));
            Assert.Equal(here.Status, there.Status);
            Assert.Equal(here.BusinessStatus.Coding.Single().Code, there.BusinessStatus.Coding.Single().Code);
        }

        Assert.Equal(TaskStatus.Accepted, (await TaskAsync(municipal, downId)).Status);
    }

    private static async System.Threading.Tasks.Task MoveAsync(HttpClient client, string referralId, TaskStatus status, string? businessStatus)
    {
        var task = await TaskAsync(client, referralId);
        task.Status = status;
        if (businessStatus is not null)
        {
            task.BusinessStatus = new CodeableConcept(Bser, businessStatus);
        }

        using var response = await client.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<Hl7.Fhir.Model.Task?> FindTaskAsync(HttpClient client, string referralId) =>
        (await client.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().SingleOrDefault();

    private static async Task<Hl7.Fhir.Model.Task> TaskAsync(HttpClient client, string referralId) =>
        await FindTaskAsync(client, referralId) ?? throw new InvalidOperationException($"No Task for referral {referralId}.");

    public void Dispose()
    {
        _nodes.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteDownwardReferralTests() : DownwardReferralTests("Sqlite");

public sealed class PostgresDownwardReferralTests() : DownwardReferralTests("PostgreSql");
