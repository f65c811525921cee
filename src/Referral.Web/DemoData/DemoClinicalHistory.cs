using System.Globalization;
using Hl7.Fhir.Model;

namespace Referral.Web.DemoData;

/// <summary>Where a patient's history is written and by whom: the hospital, its partners, the treating clinician.</summary>
internal sealed record DemoHistoryContext(
    DateTimeOffset Today, ResourceReference Hospital, IReadOnlyList<ResourceReference> Partners, ResourceReference? Clinician);

/// <summary>
/// A patient's oncology history at one hospital, following the patient's <see cref="DemoCase"/>: first visit with
/// labs, imaging and (for a cancer) pathology, the diagnoses, an inpatient treatment stay, follow-up visits with the
/// tumour markers falling, the medicines, sometimes an allergy, and for about half the patients an active Consent to
/// share records with the partner hospitals.
/// </summary>
internal sealed class DemoClinicalHistory(DemoHistoryContext context, Random random, Func<Resource, ResourceReference> stage)
{
    private static readonly (string? Snomed, string Substance, string Reaction)[] Allergies =
    [
        ("91936005", "青霉素 Penicillin", "皮疹 Rash"),
        (null, "碘造影剂 Iodinated contrast media", "荨麻疹 Urticaria"),
        (null, "磺胺类药物 Sulfonamides", "皮肤瘙痒 Pruritus"),
        (null, "头孢菌素类 Cephalosporins", "呼吸困难 Dyspnoea"),
    ];

    /// <summary>Writes the history; returns whether the patient consented to sharing.</summary>
    public bool Write(DemoPatient patient, ResourceReference subject)
    {
        var @case = patient.Case;
        var diagnosed = ClinicHours(context.Today.AddDays(-random.Next(60, 900)));
        var firstVisit = Encounter(subject, DemoCodes.Ambulatory, "门诊首诊 First outpatient visit", @case, diagnosed, diagnosed.AddHours(1));

        var onset = @case.IsCancer ? diagnosed : diagnosed.AddYears(-random.Next(2, 15));
        var diagnosis = stage(Condition(subject, firstVisit, @case.Icd10, @case.Diagnosis, onset, diagnosed, @case.Stage));
        foreach (var (code, display, probability) in @case.Background)
        {
            if (random.NextDouble() < probability)
            {
                stage(Condition(subject, firstVisit, code, display, diagnosed.AddYears(-random.Next(3, 20)), diagnosed, stage: null));
            }
        }

        var baseline = @case.Labs.ToDictionary(l => l.Test, l => l.Low + random.NextDouble() * (l.High - l.Low));
        foreach (var (test, value) in baseline)
        {
            stage(Lab(subject, firstVisit, test, value, diagnosed));
        }

        stage(Report(subject, firstVisit, DemoCodes.Radiology, "18748-4", "Diagnostic imaging study", @case.Imaging, diagnosed.AddDays(random.Next(1, 7))));
        if (@case.Pathology is { } pathology)
        {
            stage(Report(subject, firstVisit, DemoCodes.SurgicalPathology, "11526-1", "Pathology study", pathology, diagnosed.AddDays(random.Next(7, 14))));
        }

        var treatmentStart = diagnosed;
        var last = firstVisit;
        if (@case.IsCancer)
        {
            treatmentStart = ClinicHours(diagnosed.AddDays(random.Next(14, 30)));
            last = Encounter(subject, DemoCodes.Inpatient, "住院治疗 Inpatient treatment", @case, treatmentStart, treatmentStart.AddDays(random.Next(5, 12)));
        }

        var visit = ClinicHours(treatmentStart.AddDays(random.Next(60, 120)));
        for (var round = 1; visit < context.Today.AddDays(-1) && round <= 3; round++)
        {
            last = Encounter(subject, DemoCodes.Ambulatory, "复诊 Follow-up visit", @case, visit, visit.AddHours(1));
            foreach (var (test, value) in baseline.Where(l => l.Key.UpperLimit is not null))
            {
                // A treated cancer's markers fall visit by visit; a carrier's AFP just varies around its level.
                var level = @case.IsCancer ? value * Math.Pow(0.3 + random.NextDouble() * 0.4, round) : value * (0.8 + random.NextDouble() * 0.4);
                stage(Lab(subject, last, test, level, visit));
            }

            visit = ClinicHours(visit.AddDays(random.Next(60, 120)));
        }

        foreach (var medication in @case.Medications)
        {
            stage(Medication(subject, last, diagnosis, medication, @case.IsCancer ? treatmentStart : onset.AddMonths(random.Next(1, 12))));
        }

        if (random.NextDouble() < 0.2)
        {
            stage(Allergy(subject, Allergies[random.Next(Allergies.Length)], diagnosed));
        }

        var consents = patient.Shared || random.NextDouble() < 0.4;
        if (consents && context.Partners.Count > 0)
        {
            stage(SharingConsent(subject, diagnosed.AddDays(1)));
        }

        return consents && context.Partners.Count > 0;
    }

    /// <summary>That day in China Standard Time, at a time between 08:00 and 17:00.</summary>
    private DateTimeOffset ClinicHours(DateTimeOffset day)
    {
        var local = day.ToOffset(TimeSpan.FromHours(8));
        return new DateTimeOffset(local.Date, local.Offset).AddMinutes(random.Next(8 * 60, 17 * 60));
    }

    private ResourceReference Encounter(
        ResourceReference subject, Coding @class, string type, DemoCase @case, DateTimeOffset start, DateTimeOffset end) =>
        stage(new Encounter
        {
            Status = Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
            Class = @class,
            Type = [new CodeableConcept { Text = type }],
            ServiceType = new CodeableConcept { Text = @case.Department },
            Subject = subject,
            Participant = context.Clinician is { } clinician ? [new Encounter.ParticipantComponent { Individual = clinician }] : [],
            Period = new Period(new FhirDateTime(start), new FhirDateTime(end)),
            ReasonCode = [DemoCodes.Concept(DemoCodes.Icd10, @case.Icd10, @case.Diagnosis)],
            ServiceProvider = context.Hospital,
        });

    private Condition Condition(
        ResourceReference subject, ResourceReference encounter, string code, string display, DateTimeOffset onset, DateTimeOffset recorded, string? stage) => new()
        {
            ClinicalStatus = DemoCodes.ConditionActive,
            VerificationStatus = DemoCodes.ConditionConfirmed,
            Category = [DemoCodes.ProblemListItem, DemoCodes.EncounterDiagnosis],
            Code = DemoCodes.Concept(DemoCodes.Icd10, code, display),
            Subject = subject,
            Encounter = encounter,
            Onset = new FhirDateTime(onset.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            RecordedDate = recorded.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Asserter = context.Clinician,
            Stage = stage is null ? [] : [new Condition.StageComponent { Summary = new CodeableConcept { Text = stage } }],
        };

    private Observation Lab(ResourceReference subject, ResourceReference encounter, DemoLabTest test, double value, DateTimeOffset when)
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Category = [DemoCodes.Laboratory],
            Code = DemoCodes.Concept(DemoCodes.Loinc, test.Loinc, test.Display),
            Subject = subject,
            Encounter = encounter,
            Effective = new FhirDateTime(when),
            Issued = when.AddHours(4),
            Performer = [context.Hospital],
        };
        if (test.UpperLimit is { } upper)
        {
            var amount = (decimal)Math.Round(value, 1);
            observation.Value = new Quantity(amount, test.UcumCode, DemoCodes.Ucum) { Unit = test.Unit };
            observation.Interpretation = [DemoCodes.Interpretation(amount > upper)];
            observation.ReferenceRange = [new Observation.ReferenceRangeComponent { High = new Quantity(upper, test.UcumCode, DemoCodes.Ucum) { Unit = test.Unit } }];
        }
        else
        {
            observation.Value = DemoCodes.Coded(DemoCodes.Snomed, "10828004", "Positive", "阳性 Positive");
            observation.Interpretation = [DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "POS", "Positive")];
        }

        return observation;
    }

    private DiagnosticReport Report(
        ResourceReference subject, ResourceReference encounter, CodeableConcept category, string loinc, string display, DemoReport report,
        DateTimeOffset when) => new()
        {
            Status = DiagnosticReport.DiagnosticReportStatus.Final,
            Category = [category],
            Code = DemoCodes.Coded(DemoCodes.Loinc, loinc, display, report.Study),
            Subject = subject,
            Encounter = encounter,
            Effective = new FhirDateTime(when),
            Issued = when.AddHours(6),
            Performer = [context.Hospital],
            ResultsInterpreter = context.Clinician is { } clinician ? [clinician] : [],
            Conclusion = report.Conclusion,
        };

    private MedicationStatement Medication(
        ResourceReference subject, ResourceReference encounter, ResourceReference reason, DemoMedication medication, DateTimeOffset start) => new()
        {
            Status = MedicationStatement.MedicationStatusCodes.Active,
            Medication = DemoCodes.Concept(DemoCodes.Atc, medication.Atc, medication.Name),
            Subject = subject,
            Context = encounter,
            Effective = new Period { StartElement = new FhirDateTime(start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) },
            DateAsserted = context.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            InformationSource = context.Clinician,
            ReasonReference = [reason],
            Dosage = [new Dosage { Text = medication.Dosage }],
        };

    private AllergyIntolerance Allergy(ResourceReference subject, (string? Snomed, string Substance, string Reaction) allergy, DateTimeOffset recorded) => new()
    {
        ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
        VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed"),
        Type = AllergyIntolerance.AllergyIntoleranceType.Allergy,
        Category = [AllergyIntolerance.AllergyIntoleranceCategory.Medication],
        Criticality = AllergyIntolerance.AllergyIntoleranceCriticality.Low,
        Code = allergy.Snomed is { } code
            ? DemoCodes.Concept(DemoCodes.Snomed, code, allergy.Substance)
            : new CodeableConcept { Text = allergy.Substance },
        Patient = subject,
        RecordedDate = recorded.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Recorder = context.Clinician,
        Reaction = [new AllergyIntolerance.ReactionComponent { Manifestation = [new CodeableConcept { Text = allergy.Reaction }] }],
    };

    /// <summary>The patient's signed agreement that the partner hospitals may receive their records (what referral requires).</summary>
    private Consent SharingConsent(ResourceReference subject, DateTimeOffset signed) => new()
    {
        Status = Consent.ConsentState.Active,
        Scope = DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
        Category = [DemoCodes.Coded(DemoCodes.Loinc, "59284-0", "Patient Consent")],
        Patient = subject,
        DateTime = signed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Organization = [context.Hospital],
        PolicyRule = DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"),
        Provision = new Consent.provisionComponent
        {
            Type = Consent.ConsentProvisionType.Permit,
            Period = new Period(new FhirDateTime(signed), new FhirDateTime(signed.AddYears(5))),
            Actor =
            [
                .. context.Partners.Select(partner => new Consent.provisionActorComponent
                {
                    Role = DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
                    Reference = partner,
                }),
            ],
            Purpose = [new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment")],
        },
    };
}
