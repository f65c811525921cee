using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Workflow;

/// <summary>The referral letter (转诊单): rendered from the referral's data as PDF, filed, linked, and sent to the partner.</summary>
public sealed class ReferralLetterTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task The_capability_statement_lists_the_document_operations()
    {
        using var municipal = _nodes.MunicipalNode.CreateClient();

        var capabilities = await (await municipal.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();

        var request = capabilities.Rest[0].Resource.Single(r => r.Type == "ServiceRequest");
        Assert.Contains(request.Operation, o => o.Name == "referral-letter" && o.Definition == "http://fhir.alliance.example/OperationDefinition/referral-letter");
        var composition = capabilities.Rest[0].Resource.Single(r => r.Type == "Composition");
        Assert.Contains(composition.Operation, o => o.Name == "render-pdf" && o.Definition == "http://fhir.alliance.example/OperationDefinition/render-pdf");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_referral_letter_is_a_pdf_with_the_patient_and_diagnosis_and_arrives_at_the_partner()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103147777"));
        var diagnosis = await municipal.CreateAsync(new Condition
        {
            Subject = new ResourceReference($"Patient/{patient.Id}"),
            Code = new CodeableConcept("http://hl7.org/fhir/sid/icd-10", "C34.1", "Malignant neoplasm of upper lobe, bronchus or lung", "右肺上叶腺癌"),
        });
        var report = await municipal.CreateAsync(new DiagnosticReport
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Code = new CodeableConcept(ReferralDocuments.Loinc, "24627-2", "CT chest"),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
            Conclusion = "右肺上叶占位 3.2 cm, mass in the right upper lobe",
        });
        var referralId = Guid.NewGuid().ToString("N");

        var (requestId, letter) = await ReferralDocuments.SubmitWithLetterAsync(
            municipal, patient.Id, referralId, $"Condition/{diagnosis.Id}", $"DiagnosticReport/{report.Id}");

        Assert.Equal("57133-1", letter.Type.Coding.Single().Code);
        Assert.Equal($"ServiceRequest/{requestId}", letter.Context.Related.Single().Reference);
        var text = ReferralDocuments.PdfText(ReferralDocuments.Pdf(letter));
        Assert.Contains("王建国", text, StringComparison.Ordinal);
        Assert.Contains("110101196103147777", text, StringComparison.Ordinal);
        Assert.Contains("右肺上叶腺癌", text, StringComparison.Ordinal);
        Assert.Contains("C34.1", text, StringComparison.Ordinal);
        Assert.Contains("紧急", text, StringComparison.Ordinal);
        Assert.Contains("疑似恶性肿瘤", text, StringComparison.Ordinal);
        Assert.Contains("医保类别Insurance未登记notrecorded", text, StringComparison.Ordinal);
        var request = await (await municipal.GetAsync($"/fhir/ServiceRequest/{requestId}")).ReadAsync<ServiceRequest>();
        Assert.Contains(request.SupportingInfo, s => s.Reference == $"DocumentReference/{letter.Id}");

        // The letter travelled in the package: the same bytes, filed under the cancer hospital's patient.
        await TwoNodes.EventuallyAsync(async () => (await cancer.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().Any(), "the referral at the cancer hospital");
        var filed = (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103147777")).Matches<Patient>().Single();
        var arrived = (await cancer.SearchAsync($"DocumentReference?subject=Patient/{filed.Id}&type={ReferralDocuments.Loinc}|57133-1")).Matches<DocumentReference>().Single();
        Assert.Equal(letter.Content[0].Attachment.Hash, ReferralDocuments.Pdf(arrived).Length > 0 ? arrived.Content[0].Attachment.Hash : null);
        var filedRequest = (await cancer.SearchAsync($"ServiceRequest?identifier={Referrals.System}|{referralId}")).Matches<ServiceRequest>().Single();
        Assert.Contains(filedRequest.SupportingInfo, s => s.Reference == $"DocumentReference/{arrived.Id}");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_letter_prints_the_patients_insurance_type_and_the_coverage_arrives_with_the_package()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103145555"));
        var ended = await municipal.CreateAsync(Coverage(patient.Id, "self-pay", FinancialResourceStatusCodes.Cancelled, new ResourceReference($"Patient/{patient.Id}")));
        var coverage = await municipal.CreateAsync(Coverage(patient.Id, "urban-employee", FinancialResourceStatusCodes.Active, new ResourceReference
        {
            Type = "Organization",
            Identifier = new Identifier("urn:alliance:organization", "healthcare-security-administration"),
            Display = "市医疗保障局",
        }));
        var referralId = Guid.NewGuid().ToString("N");

        var (_, letter) = await ReferralDocuments.SubmitWithLetterAsync(municipal, patient.Id, referralId);

        // The active Coverage's type, with the alliance's Chinese designation; the cancelled one is not the patient's insurance now.
        var text = ReferralDocuments.PdfText(ReferralDocuments.Pdf(letter));
        Assert.Contains("医保类别Insurance城镇职工基本医疗保险", text, StringComparison.Ordinal);
        Assert.DoesNotContain("自费", text, StringComparison.Ordinal);

        // The active Coverage travelled with the package, filed once under the cancer hospital's patient, marked where it came from.
        await TwoNodes.EventuallyAsync(async () => (await cancer.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<Hl7.Fhir.Model.Task>().Any(), "the referral at the cancer hospital");
        var filed = (await cancer.SearchAsync("Patient?identifier=urn:oid:2.16.156.10011.1.5|110101196103145555")).Matches<Patient>().Single();
        var arrived = (await cancer.SearchAsync($"Coverage?beneficiary=Patient/{filed.Id}")).Matches<Coverage>().Single();
        Assert.Equal(FinancialResourceStatusCodes.Active, arrived.Status);
        Assert.Equal("urban-employee", arrived.Type.Coding.Single().Code);
        Assert.Equal("市医疗保障局", arrived.Payor.Single().Display);
        Assert.Contains(arrived.Identifier, i => i.System == ReferralSteps.SourceRecord && i.Value == $"{TwoNodes.Municipal}/Coverage/{coverage.Id}");
        Assert.DoesNotContain(arrived.Identifier, i => i.Value.EndsWith($"/Coverage/{ended.Id}", StringComparison.Ordinal));
    }

    private static Coverage Coverage(string patientId, string type, FinancialResourceStatusCodes status, ResourceReference payor) => new()
    {
        Status = status,
        Type = new CodeableConcept("http://fhir.alliance.example/CodeSystem/insurance-type", type),
        Beneficiary = new ResourceReference($"Patient/{patientId}"),
        Payor = [payor],
    };

    [Fact]
    public async System.Threading.Tasks.Task Rendering_again_supersedes_the_earlier_letter_and_after_submission_is_refused()
    {
        using var municipal = _nodes.MunicipalNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103148888"));
        var submit = Referrals.Submit(patient.Id, Guid.NewGuid().ToString("N"));
        var task = (Hl7.Fhir.Model.Task)submit.Entry.Single(e => e.Resource is Hl7.Fhir.Model.Task).Resource;
        submit.Entry.RemoveAll(e => e.Resource is Hl7.Fhir.Model.Task);
        var request = (await ReferralDocuments.PostTransactionAsync(municipal, submit)).Single(r => r.StartsWith("ServiceRequest/", StringComparison.Ordinal));

        using var first = await municipal.PostAsync($"/fhir/{request}/$referral-letter", null);
        using var second = await municipal.PostAsync($"/fhir/{request}/$referral-letter", null);
        var (earlier, later) = (await first.ReadAsync<DocumentReference>(), await second.ReadAsync<DocumentReference>());
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal($"DocumentReference/{earlier.Id}", later.RelatesTo.Single().Target.Reference);
        Assert.Equal(DocumentReferenceStatus.Superseded, (await (await municipal.GetAsync($"/fhir/DocumentReference/{earlier.Id}")).ReadAsync<DocumentReference>()).Status);
        var linked = (await (await municipal.GetAsync($"/fhir/{request}")).ReadAsync<ServiceRequest>()).SupportingInfo.Select(s => s.Reference);
        Assert.Equal([$"DocumentReference/{later.Id}"], linked);

        task.Focus = new ResourceReference(request);
        await municipal.CreateAsync(task);
        using var late = await municipal.PostAsync($"/fhir/{request}/$referral-letter", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("render the letter before creating the Task", (await OutcomeAssert.RefusedAsync(late)).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_letter_for_a_service_request_that_is_not_a_referral_is_refused_naming_the_identifier()
    {
        using var municipal = _nodes.MunicipalNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103146666"));
        var order = await municipal.CreateAsync(new ServiceRequest
        {
            Status = RequestStatus.Draft,
            Intent = RequestIntent.Order,
            Subject = new ResourceReference($"Patient/{patient.Id}"),
        });

        using var response = await municipal.PostAsync($"/fhir/ServiceRequest/{order.Id}/$referral-letter", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("ServiceRequest.identifier", (await OutcomeAssert.RefusedAsync(response)).Issue[0].Expression.Single());
        using var missing = await municipal.PostAsync("/fhir/ServiceRequest/no-such-request/$referral-letter", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    public void Dispose() => _nodes.Dispose();
}
