using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// The awaiting-information loop: the cancer hospital holds the referral with a question (Task.statusReason and an
/// information-request input), the municipal hospital answers with documents (information-response inputs, the records
/// added to the referral) in one transaction, the documents travel with the answer, and the referral resumes.
/// </summary>
public sealed class AwaitingInformationTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task A_held_referral_resumes_when_the_placer_answers_and_the_documents_reach_the_receiver()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141002", async patient =>
            [$"DiagnosticReport/{(await municipal.CreateAsync(Report(patient, "24627-2", "CT chest", "右肺上叶占位 Mass in the right upper lobe"))).Id}"]);

        // The specialist asks for the biopsy; holding without a reason is refused.
        const string question = "请补充穿刺病理报告 Please send the pathology report of the biopsy.";
        var held = referral.AtCancer;
        held.Status = FhirTask.TaskStatus.OnHold;
        held.BusinessStatus = new CodeableConcept(AllianceStatus, "awaiting-information", "Awaiting information");
        held.Input.Add(Parameter("information-request", new FhirString(question)));
        using (var noReason = await cancer.PutAsync($"/fhir/Task/{held.Id}", FhirClient.Body(held)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        }

        held.StatusReason = new CodeableConcept(StatusReasons, "insufficient-information", "Insufficient information") { Text = question };
        await UpdateAsync(cancer, held);

        var asked = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.OnHold, "on hold at the municipal hospital");
        Assert.Equal("awaiting-information", asked.BusinessStatus.Coding.Single().Code);
        Assert.Equal(question, asked.StatusReason.Text);
        Assert.Equal(question, asked.Input.Single(i => i.Type.Coding[0].Code == "information-request").Value.ToString());

        // The placer cannot use its answer to move the referral on: it resumes where it was held.
        var jump = (FhirTask)asked.DeepCopy();
        jump.Status = FhirTask.TaskStatus.Accepted;
        using (var refused = await municipal.PutAsync($"/fhir/Task/{jump.Id}", FhirClient.Body(jump)))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("only to received", (await refused.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        }

        // The answer: the pathology as a PDF and as a report, added to the referral, and the Task resumed, atomically.
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% pathology report\n%%EOF\n");
        var document = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            Type = new CodeableConcept("http://loinc.org", "11526-1", "Pathology study"),
            Subject = new ResourceReference($"Patient/{referral.Patient.Id}"),
            Description = "穿刺病理报告 Biopsy pathology report",
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Data = pdf, Title = "pathology.pdf" } }],
        };
        var pathology = Report(referral.Patient.Id, "22637-3", "Pathology report", "腺癌 Adenocarcinoma, right upper lobe");
        var (documentUrl, pathologyUrl) = ("urn:uuid:6a1c9a1e-0000-4000-8000-000000000001", "urn:uuid:6a1c9a1e-0000-4000-8000-000000000002");
        var request = await (await municipal.GetAsync($"/fhir/{asked.Focus.Reference}")).ReadAsync<ServiceRequest>();
        request.SupportingInfo.Add(new ResourceReference(documentUrl));
        request.SupportingInfo.Add(new ResourceReference(pathologyUrl));
        var answer = asked;
        answer.Status = FhirTask.TaskStatus.Received;
        answer.BusinessStatus = new CodeableConcept(AllianceStatus, "received", "Referral package received and filed");
        answer.StatusReason = null;
        answer.Input.Add(Parameter("information-response", new ResourceReference(documentUrl)));
        answer.Input.Add(Parameter("information-response", new ResourceReference(pathologyUrl)));
        answer.Input.Add(Parameter("information-response", new FhirString("2026-11-28 穿刺活检 biopsy; report attached.")));
        using (var answered = await TransactionAsync(municipal, Post(document, documentUrl), Post(pathology, pathologyUrl), Put(request), Put(answer)))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        var resumed = await WaitForAsync(cancer, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Received, "resumed at the cancer hospital");
        Assert.Null(resumed.StatusReason);
        var answers = resumed.Input.Where(i => i.Type.Coding[0].Code == "information-response").ToList();
        Assert.Equal(3, answers.Count);
        var filedDocument = await (await cancer.GetAsync($"/fhir/{((ResourceReference)answers[0].Value).Reference}")).ReadAsync<DocumentReference>();
        Assert.Equal(resumed.For.Reference, filedDocument.Subject.Reference);
        Assert.Equal(pdf, filedDocument.Content.Single().Attachment.Data);
        var localDocument = (await municipal.SearchAsync($"DocumentReference?subject=Patient/{referral.Patient.Id}")).Matches<DocumentReference>().Single();
        Assert.Contains(filedDocument.Identifier, i => i.System == SourceRecord && i.Value == $"{TwoNodes.Municipal}/DocumentReference/{localDocument.Id}");
        var filedReport = await (await cancer.GetAsync($"/fhir/{((ResourceReference)answers[1].Value).Reference}")).ReadAsync<DiagnosticReport>();
        Assert.Equal("22637-3", filedReport.Code.Coding[0].Code);
        Assert.Equal(2, (await cancer.SearchAsync($"DiagnosticReport?subject={resumed.For.Reference}&_summary=count")).Total);

        // The specialist accepts with the answer in hand; the placer's Task still names its own documents.
        resumed.Status = FhirTask.TaskStatus.Accepted;
        resumed.BusinessStatus = new CodeableConcept(Bser, "3.0", "Service Request Accepted");
        await UpdateAsync(cancer, resumed);
        var accepted = await WaitForAsync(municipal, referral.ReferralId, t => t.Status == FhirTask.TaskStatus.Accepted, "accepted at the municipal hospital");
        Assert.Equal($"DocumentReference/{localDocument.Id}", ((ResourceReference)accepted.Input.Where(i => i.Type.Coding[0].Code == "information-response").First().Value).Reference);
        Assert.Equal(1, (await municipal.SearchAsync($"DocumentReference?subject=Patient/{referral.Patient.Id}&_summary=count")).Total);
        Assert.Equal(1, (await cancer.SearchAsync($"DocumentReference?subject={resumed.For.Reference}&_summary=count")).Total);

        var (_, atCancer) = await AssertAgreeAsync(municipal, cancer, referral.ReferralId);
        Assert.Equal(
            [("received", "received"), ("on-hold", "awaiting-information"), ("received", "received"), ("accepted", "3.0")],
            await HistoryAsync(cancer, atCancer));
    }

    private static DiagnosticReport Report(string patientId, string loinc, string display, string conclusion) => new()
    {
        Status = DiagnosticReport.DiagnosticReportStatus.Final,
        Code = new CodeableConcept("http://loinc.org", loinc, display),
        Subject = new ResourceReference($"Patient/{patientId}"),
        Conclusion = conclusion,
    };

    public void Dispose() => _nodes.Dispose();
}
