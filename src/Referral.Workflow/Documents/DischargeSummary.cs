using Hl7.Fhir.Model;

namespace Referral.Workflow.Documents;

/// <summary>What a rendered discharge summary shows: the Composition, its patient, and the records its sections list.</summary>
public sealed record DischargeSummaryContent(
    Composition Composition, Patient Patient, string Custodian, string? Author, IReadOnlyDictionary<string, Resource> Entries);

/// <summary>
/// Renders a Composition (the discharge summary 出院小结 of a downward referral) as a PDF: the patient header, then
/// each section's title and narrative in order; a section listing a CarePlan shows its activities with their schedule,
/// so the follow-up and surveillance plan is on paper as the municipal hospital will carry it out.
/// </summary>
public static class DischargeSummary
{
    public static readonly CodeableConcept DocumentType = new("http://loinc.org", "18842-5", "Discharge summary", null);

    public static string Title(DischargeSummaryContent content) =>
        $"{content.Composition.Title ?? "出院小结 Discharge summary"} — {Plain.Name(content.Patient.Name) ?? "患者 patient"}";

    public static byte[] Render(DischargeSummaryContent content, (string Cjk, string Latin) fonts, CodeDisplays displays)
    {
        var composition = content.Composition;
        var patient = content.Patient;
        using var pdf = new PdfComposer(fonts, Title(content), content.Custodian);
        pdf.Title(composition.Title ?? "出院小结 Discharge summary", content.Custodian);

        pdf.Heading("患者信息 Patient");
        pdf.Field("姓名 Name", Plain.Name(patient.Name));
        pdf.Field("性别 Sex", Plain.Sex(patient.Gender));
        pdf.Field("出生日期 Born / age", Plain.BirthAndAge(patient.BirthDate, DateTimeOffset.TryParse(composition.Date, out var date) ? date : DateTimeOffset.UtcNow));
        pdf.Field("居民身份证号 Resident ID", patient.Identifier.FirstOrDefault(i => i.System == ReferralCodes.ResidentIdSystem)?.Value);
        if (composition.Event.FirstOrDefault()?.Period is { } stay)
        {
            pdf.Field("住院 Stay", $"{Plain.Date(stay.Start) ?? "—"} – {Plain.Date(stay.End) ?? "—"}");
        }

        pdf.Field("医生 Responsible", content.Author);
        pdf.Field("日期 Date", Plain.Date(composition.Date));

        foreach (var section in composition.Section)
        {
            pdf.Heading(section.Title ?? Plain.Concept(section.Code, displays) ?? "—");
            if (Plain.Narrative(section.Text) is { } text)
            {
                pdf.Paragraph(text);
            }

            foreach (var entry in section.Entry)
            {
                if (entry.Reference is not null && content.Entries.TryGetValue(entry.Reference, out var resource))
                {
                    foreach (var line in Describe(resource, displays))
                    {
                        pdf.Paragraph("• " + line);
                    }
                }
                else if (entry.Display is { } display)
                {
                    pdf.Paragraph("• " + display);
                }
            }
        }

        pdf.Space(24);
        pdf.Paragraph("医生签名 Signature: ____________________      日期 Date: ______________");
        return pdf.Save();
    }

    private static IEnumerable<string> Describe(Resource resource, CodeDisplays displays) => resource switch
    {
        CarePlan plan => plan.Activity.Select(a => Activity(a, displays)),
        Condition condition => [Plain.Concept(condition.Code, displays) ?? "—"],
        Procedure procedure => [Plain.Concept(procedure.Code, displays) ?? "—"],
        MedicationStatement statement => [(statement.Medication as CodeableConcept)?.Text ?? Plain.Concept(statement.Medication as CodeableConcept, displays) ?? "—"],
        _ => [],
    };

    private static string Activity(CarePlan.ActivityComponent activity, CodeDisplays displays)
    {
        var detail = activity.Detail;
        var what = detail?.Description ?? Plain.Concept(detail?.Code, displays) ?? "—";
        var when = detail?.Scheduled switch
        {
            Timing timing => Plain.Timing(timing),
            Period period => $"{Plain.Date(period.Start)} – {Plain.Date(period.End)}",
            FhirString text => text.Value,
            _ => null,
        };
        var where = detail?.Location?.Display;
        return string.Join("；", new[] { what, when, where }.Where(s => !string.IsNullOrEmpty(s)));
    }
}
