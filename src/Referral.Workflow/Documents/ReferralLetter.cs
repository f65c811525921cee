using System.Globalization;
using Hl7.Fhir.Model;
using Referral.Workflow.Referrals;

namespace Referral.Workflow.Documents;

/// <summary>What the referral form (转诊单) is filled from: the referral, its patient and their insurance, both hospitals and the records sent.</summary>
public sealed record ReferralLetterContent(
    ServiceRequest Request,
    Patient Patient,
    string ReferringOrganization,
    string ReceivingOrganization,
    string? ReferringDoctor,
    IReadOnlyList<Resource> Records,
    Consent? Agreement,
    Coverage? Insurance,
    DateTimeOffset Date);

/// <summary>
/// Renders the referral form (转诊单) as the alliance's hospitals print it: patient identity and insurance type, referring and receiving
/// hospital, urgency, reason, preliminary diagnosis, history, key results, medications, allergies, what is asked of the
/// receiver, and whether the patient agreed to sharing. Labels are Chinese with English.
/// </summary>
public static class ReferralLetter
{
    public static readonly CodeableConcept DocumentType = new("http://loinc.org", "57133-1", "Referral note", null);

    public static string Title(ReferralLetterContent content) =>
        $"转诊单 Referral letter — {Plain.Name(content.Patient.Name) ?? "患者 patient"} — {Plain.Date(content.Date)}";

    public static byte[] Render(ReferralLetterContent content, (string Cjk, string Latin) fonts, CodeDisplays displays)
    {
        var request = content.Request;
        var patient = content.Patient;
        var down = ReferralDirection.Of(request) == ReferralDirection.Down;
        using var pdf = new PdfComposer(fonts, Title(content), content.ReferringOrganization);
        pdf.Title(down ? "转 诊 单（下转）" : "转 诊 单（上转）",
            $"Referral form · {(down ? "downward" : "upward")} · {content.ReferringOrganization} → {content.ReceivingOrganization}");

        pdf.Heading("患者信息 Patient");
        pdf.Field("姓名 Name", Plain.Name(patient.Name));
        pdf.Field("性别 Sex", Plain.Sex(patient.Gender));
        pdf.Field("出生日期 Born / age", Plain.BirthAndAge(patient.BirthDate, content.Date));
        pdf.Field("居民身份证号 Resident ID", Identifier(patient, ReferralCodes.ResidentIdSystem));
        pdf.Field("联盟主索引 Alliance MPI", Identifier(patient, ReferralCodes.MpiSystem));
        pdf.Field("联系电话 Phone", patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Phone)?.Value);
        pdf.Field("住址 Address", patient.Address.FirstOrDefault() is { } address ? address.Text ?? string.Join("", address.Line.Prepend(address.City).Where(s => s is not null)) : null);
        pdf.Field("医保类别 Insurance", content.Insurance is { } coverage ? Plain.Concept(coverage.Type, displays) ?? "—" : "未登记 not recorded");

        pdf.Heading("转诊信息 Referral");
        pdf.Field("转出医院 Referring", content.ReferringOrganization);
        pdf.Field("转诊医生 Doctor", content.ReferringDoctor);
        pdf.Field("接收医院 Receiving", content.ReceivingOrganization);
        pdf.Field("转诊日期 Date", Plain.Date(request.AuthoredOn) ?? Plain.Date(content.Date));
        pdf.Field("紧急程度 Urgency", Plain.Priority(request.Priority));
        pdf.Field("转诊编号 Referral no.", request.Identifier.FirstOrDefault(i => i.System == ReferralCodes.ReferralIdentifierSystem)?.Value);
        pdf.Field("转诊原因 Reason", Lines(request.ReasonCode.Select(c => Plain.Concept(c, displays))));
        var diagnoses = content.Records.OfType<Condition>().ToList();
        pdf.Field("初步诊断 Diagnosis", Lines(diagnoses.Select(Diagnosis)));
        pdf.Field("申请事项 Asked of receiver", Lines([Plain.Concept(request.Code, displays), .. request.Note.Select(n => n.Text), request.PatientInstruction]));

        Section(pdf, "病史摘要 History", content.Records.OfType<Procedure>().Select(Procedure));
        Section(pdf, "主要检查结果 Key results", content.Records.Select(Result).OfType<string>());
        Section(pdf, "目前用药 Medications", content.Records.Select(Medication).OfType<string>());
        Section(pdf, "过敏史 Allergies", content.Records.OfType<AllergyIntolerance>().Select(a => Plain.Concept(a.Code, displays) ?? "—"));
        Section(pdf, "随附文件 Documents", content.Records.OfType<DocumentReference>().Select(d => d.Description ?? Plain.Concept(d.Type, displays) ?? "—"));

        pdf.Heading("患者知情同意 Patient's agreement");
        pdf.Paragraph(content.Agreement is { } consent
            ? $"患者已同意将病历共享给{content.ReceivingOrganization}（{Plain.Date(consent.DateTime) ?? "日期未记录"}）。The patient agreed to share the records with the receiving hospital."
            : "未记录患者同意。No agreement of the patient is recorded.");
        pdf.Space(24);
        pdf.Paragraph("转诊医生签名 Doctor's signature: ____________________      日期 Date: ______________");
        pdf.Paragraph("患者（或监护人）签名 Patient / guardian: ____________________");
        return pdf.Save();
    }

    private static void Section(PdfComposer pdf, string heading, IEnumerable<string> lines)
    {
        var items = lines.ToList();
        if (items.Count == 0)
        {
            return;
        }

        pdf.Heading(heading);
        foreach (var item in items)
        {
            pdf.Paragraph("• " + item);
        }
    }

    private static string? Identifier(Patient patient, string system) => patient.Identifier.FirstOrDefault(i => i.System == system)?.Value;

    private static string? Lines(IEnumerable<string?> lines) =>
        string.Join("\n", lines.Where(l => !string.IsNullOrWhiteSpace(l))) is { Length: > 0 } joined ? joined : null;

    private static string Diagnosis(Condition condition)
    {
        var text = Plain.Concept(condition.Code) ?? "—";
        var stage = condition.Stage.Select(s => Plain.Concept(s.Summary)).FirstOrDefault(s => s is not null);
        var onset = condition.Onset is FhirDateTime when ? Plain.Date(when.Value) : null;
        return string.Join("，", new[] { text, stage, onset is null ? null : $"起病 onset {onset}" }.Where(s => s is not null));
    }

    private static string Procedure(Procedure procedure) =>
        $"{Plain.Concept(procedure.Code) ?? "—"}{(procedure.Performed is FhirDateTime when ? $"（{Plain.Date(when.Value)}）" : "")}";

    private static string? Result(Resource record) => record switch
    {
        DiagnosticReport report => $"{Plain.Concept(report.Code) ?? "报告 report"}{Dated(report.Effective)}：{report.Conclusion ?? string.Join("；", report.ConclusionCode.Select(c => Plain.Concept(c)))}",
        Observation observation => $"{Plain.Concept(observation.Code) ?? "检查 observation"}{Dated(observation.Effective)}：{Value(observation.Value)}",
        _ => null,
    };

    private static string? Medication(Resource record) => record switch
    {
        MedicationStatement statement => $"{Concept(statement.Medication)}{Dosage(statement.Dosage)}",
        MedicationRequest request => $"{Concept(request.Medication)}{Dosage(request.DosageInstruction)}",
        _ => null,
    };

    private static string Concept(DataType? medication) =>
        medication is CodeableConcept concept ? Plain.Concept(concept) ?? "—" : (medication as ResourceReference)?.Display ?? "—";

    private static string Dosage(List<Dosage> dosage) => dosage.FirstOrDefault()?.Text is { } text ? $"，{text}" : "";

    private static string Dated(DataType? effective) => effective is FhirDateTime when ? $"（{Plain.Date(when.Value)}）" : "";

    private static string Value(DataType? value) => value switch
    {
        Quantity q => $"{q.Value?.ToString(CultureInfo.InvariantCulture)} {q.Unit ?? q.Code}".Trim(),
        CodeableConcept c => Plain.Concept(c) ?? "—",
        FhirString s => s.Value ?? "—",
        FhirBoolean b => b.Value == true ? "阳性 positive" : "阴性 negative",
        _ => value?.ToString() ?? "—",
    };
}
