using Hl7.Fhir.Model;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// What the cancer hospital writes to refer a treated patient back down: the patient's agreement to share with the
/// municipal hospital, the follow-up CarePlan with its surveillance schedule, the discharge summary Composition, and the
/// downward ServiceRequest + Task answering the upward referral.
/// </summary>
public static class DownwardReferrals
{
    public const string Direction = "http://fhir.alliance.example/StructureDefinition/referral-direction";
    public const string SummaryProfile = "http://fhir.alliance.example/StructureDefinition/alliance-back-referral-summary";
    private const string Loinc = ReferralDocuments.Loinc;

    public static Consent SharingConsent(string patientId, string recipient) => new()
    {
        Status = Consent.ConsentState.Active,
        Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
        Category = [new CodeableConcept(Loinc, "59284-0")],
        Patient = new ResourceReference($"Patient/{patientId}"),
        DateTime = "2026-12-14",
        Provision = new Consent.provisionComponent
        {
            Type = Consent.ConsentProvisionType.Permit,
            Actor = [new Consent.provisionActorComponent { Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP"), Reference = new ResourceReference(recipient) }],
        },
    };

    /// <summary>Follow-up at the municipal hospital: AFP and liver ultrasound every 3 months for 2 years, a contrast CT at 6 months.</summary>
    public static CarePlan FollowUpPlan(string patientId) => new()
    {
        Status = RequestStatus.Active,
        Intent = CarePlan.CarePlanIntent.Plan,
        Title = "术后随访与监测 Follow-up and surveillance",
        Subject = new ResourceReference($"Patient/{patientId}"),
        Author = new ResourceReference(TwoNodes.Cancer),
        Period = new Period(new FhirDateTime("2026-12-15"), new FhirDateTime("2028-12-15")),
        Activity =
        [
            Activity(new CodeableConcept(Loinc, "1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma", "甲胎蛋白 AFP"), EveryThreeMonths()),
            Activity(new CodeableConcept { Text = "肝脏超声 Liver ultrasound" }, EveryThreeMonths()),
            Activity(new CodeableConcept { Text = "胸部增强CT Contrast chest CT" }, new Timing { Event = ["2027-06-15"] }),
        ],
    };

    public static Composition DischargeSummary(string patientId, string carePlanId) => new()
    {
        Meta = new Meta { Profile = [SummaryProfile] },
        Status = CompositionStatus.Final,
        Type = new CodeableConcept(Loinc, "18842-5", "Discharge summary", null),
        Subject = new ResourceReference($"Patient/{patientId}"),
        Date = "2026-12-15T16:00:00+08:00",
        Author = [new ResourceReference(TwoNodes.Cancer) { Display = "胸外科 Thoracic surgery" }],
        Title = "出院小结 Discharge summary",
        Custodian = new ResourceReference(TwoNodes.Cancer),
        Event = [new Composition.EventComponent { Period = new Period(new FhirDateTime("2026-11-18"), new FhirDateTime("2026-12-15")) }],
        Section =
        [
            Section("出院诊断 Discharge diagnosis", "11535-2", "Hospital discharge Dx", "右肺上叶腺癌（ICD-10 C34.1），pT1bN0M0，IA2 期。"),
            Section("治疗经过 Treatment", "8648-8", "Hospital course Narrative", "2026-11-20 胸腔镜右肺上叶切除术 + 纵隔淋巴结清扫；术后病理：浸润性腺癌。"),
            Section("出院情况 Condition at discharge", "10184-0", "Hospital discharge physical findings Narrative", "一般情况良好，切口愈合，无发热。"),
            new Composition.SectionComponent
            {
                Title = "随访建议 Follow-up advice",
                Code = new CodeableConcept(Loinc, "18776-5", "Plan of care note", null),
                Text = Narrative("在市人民医院随访；出现咯血、胸痛或发热请立即就诊。Come back at once with haemoptysis, chest pain or fever."),
                Entry = [new ResourceReference($"CarePlan/{carePlanId}")],
            },
        ],
    };

    /// <summary>A transaction: the downward ServiceRequest (supporting the summary, its PDF and the plan) and its Task.</summary>
    public static Bundle Refer(string patientId, string downId, string upId, params string[] supportingInfo)
    {
        var answers = new ResourceReference { Type = "ServiceRequest", Identifier = new Identifier(Referrals.System, upId) };
        return new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                Post("urn:uuid:00000000-0000-4000-8000-000000000012", new ServiceRequest
                {
                    Identifier = [new Identifier(Referrals.System, downId)],
                    Extension = [new Extension(Direction, new Code("down"))],
                    BasedOn = [answers],
                    Status = RequestStatus.Active,
                    Intent = RequestIntent.Order,
                    Category = [new CodeableConcept("http://snomed.info/sct", "3457005", "Patient referral")],
                    Priority = RequestPriority.Routine,
                    Subject = new ResourceReference($"Patient/{patientId}"),
                    Requester = new ResourceReference(TwoNodes.Cancer),
                    Performer = [new ResourceReference(TwoNodes.Municipal)],
                    ReasonCode = [new CodeableConcept("http://fhir.alliance.example/CodeSystem/referral-reason", "follow-up")],
                    AuthoredOn = "2026-12-15",
                    SupportingInfo = [.. supportingInfo.Select(s => new ResourceReference(s))],
                }),
                Post("urn:uuid:00000000-0000-4000-8000-000000000013", new Hl7.Fhir.Model.Task
                {
                    Identifier = [new Identifier(Referrals.System, downId)],
                    Extension = [new Extension(Direction, new Code("down"))],
                    BasedOn = [answers],
                    Status = Hl7.Fhir.Model.Task.TaskStatus.Requested,
                    Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
                    Focus = new ResourceReference("urn:uuid:00000000-0000-4000-8000-000000000012"),
                    For = new ResourceReference($"Patient/{patientId}"),
                    Requester = new ResourceReference(TwoNodes.Cancer),
                    Owner = new ResourceReference(TwoNodes.Municipal),
                }),
            ],
        };
    }

    private static CarePlan.ActivityComponent Activity(CodeableConcept what, Timing when) => new()
    {
        Detail = new CarePlan.DetailComponent
        {
            Kind = CarePlan.CarePlanActivityKind.ServiceRequest,
            Code = what,
            Status = CarePlan.CarePlanActivityStatus.Scheduled,
            Scheduled = when,
            Performer = [new ResourceReference(TwoNodes.Municipal)],
            Location = new ResourceReference { Display = "市人民医院 Municipal Hospital" },
        },
    };

    private static Timing EveryThreeMonths() => new()
    {
        Repeat = new Timing.RepeatComponent
        {
            Period = 3,
            PeriodUnit = Timing.UnitsOfTime.Mo,
            Bounds = new Period(new FhirDateTime("2026-12-15"), new FhirDateTime("2028-12-15")),
        },
    };

    private static Composition.SectionComponent Section(string title, string code, string display, string text) => new()
    {
        Title = title,
        Code = new CodeableConcept(Loinc, code, display, null),
        Text = Narrative(text),
    };

    private static Narrative Narrative(string text) => new()
    {
        Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated,
        Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\">{System.Security.SecurityElement.Escape(text)}</div>",
    };

    private static Bundle.EntryComponent Post(string fullUrl, Resource resource) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
    };
}
