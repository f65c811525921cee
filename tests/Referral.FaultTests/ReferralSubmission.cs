using System.Globalization;
using Hl7.Fhir.Model;
using Referral.Tests;

namespace Referral.FaultTests;

/// <summary>
/// What a municipal client submits for referral number <c>n</c>: one transaction with the patient, a record to send
/// (a Condition), the patient's sharing Consent, the referral ServiceRequest and its Task. Every entry is a
/// conditional create keyed on a business identifier, so a client that lost the answer can send it again safely:
/// a retry of a committed submission matches what is there and changes nothing.
/// </summary>
internal static class ReferralSubmission
{
    public const string ReferralSystem = "http://fhir.alliance.example/identifier/referral";
    public const string SourceRecordSystem = "http://fhir.alliance.example/identifier/source-record";
    public const string ResidentIdSystem = "urn:oid:2.16.156.10011.1.5";
    public const string RecordSystem = "urn:fault-test:record";

    /// <summary>A referral identifier unique to this run and number.</summary>
    public static string ReferralId(string run, int n) => $"{run}-{n.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>An 18-character resident ID per referral number (one patient per referral).</summary>
    public static string ResidentId(int n) => "11010119610314" + n.ToString("D4", CultureInfo.InvariantCulture);

    public static Bundle Build(string referralId, int n)
    {
        var residentId = ResidentId(n);
        const string patientUrl = "urn:uuid:00000000-0000-4000-8000-000000000010";
        const string conditionUrl = "urn:uuid:00000000-0000-4000-8000-000000000011";
        const string requestUrl = "urn:uuid:00000000-0000-4000-8000-000000000012";
        return new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                Create(patientUrl, new Patient
                {
                    Identifier = [new Identifier(ResidentIdSystem, residentId), new Identifier("urn:alliance:mpi", "MPI-FT-" + residentId)],
                    Name = [new HumanName { Family = "测试", Given = ["病人" + n.ToString(CultureInfo.InvariantCulture)] }],
                    Gender = n % 2 == 0 ? AdministrativeGender.Female : AdministrativeGender.Male,
                    BirthDate = "1961-03-14",
                    ManagingOrganization = new ResourceReference(AllianceProcesses.Municipal),
                }, $"identifier={ResidentIdSystem}|{residentId}"),
                Create(conditionUrl, new Condition
                {
                    Identifier = [new Identifier(RecordSystem, "condition-" + referralId)],
                    ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
                    VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional"),
                    Code = new CodeableConcept("http://hl7.org/fhir/sid/icd-10", "C34.1", "Malignant neoplasm of upper lobe, bronchus or lung"),
                    Subject = new ResourceReference(patientUrl),
                }, $"identifier={RecordSystem}|condition-{referralId}"),
                Create("urn:uuid:00000000-0000-4000-8000-000000000013", new Consent
                {
                    Identifier = [new Identifier(RecordSystem, "consent-" + referralId)],
                    Status = Consent.ConsentState.Active,
                    Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
                    Category = [new CodeableConcept("http://loinc.org", "59284-0")],
                    Patient = new ResourceReference(patientUrl),
                    Provision = new Consent.provisionComponent
                    {
                        Type = Consent.ConsentProvisionType.Permit,
                        Actor =
                        [
                            new Consent.provisionActorComponent
                            {
                                Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP"),
                                Reference = new ResourceReference(AllianceProcesses.Cancer),
                            },
                        ],
                    },
                }, $"identifier={RecordSystem}|consent-{referralId}"),
                Create(requestUrl, new ServiceRequest
                {
                    Identifier = [new Identifier(ReferralSystem, referralId)],
                    Status = RequestStatus.Active,
                    Intent = RequestIntent.Order,
                    Category = [new CodeableConcept("http://snomed.info/sct", "3457005", "Patient referral")],
                    Priority = RequestPriority.Urgent,
                    Subject = new ResourceReference(patientUrl),
                    Performer = [new ResourceReference(AllianceProcesses.Cancer)],
                    ReasonCode = [new CodeableConcept("http://fhir.alliance.example/CodeSystem/referral-reason", "suspected-malignancy")],
                    SupportingInfo = [new ResourceReference(conditionUrl)],
                }, $"identifier={ReferralSystem}|{referralId}"),
                Create("urn:uuid:00000000-0000-4000-8000-000000000014", new Hl7.Fhir.Model.Task
                {
                    Identifier = [new Identifier(ReferralSystem, referralId)],
                    Status = Hl7.Fhir.Model.Task.TaskStatus.Requested,
                    Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
                    Focus = new ResourceReference(requestUrl),
                    For = new ResourceReference(patientUrl),
                    Requester = new ResourceReference(AllianceProcesses.Municipal),
                    Owner = new ResourceReference(AllianceProcesses.Cancer),
                }, $"identifier={ReferralSystem}|{referralId}"),
            ],
        };
    }

    private static Bundle.EntryComponent Create(string fullUrl, Resource resource, string ifNoneExist) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName, IfNoneExist = ifNoneExist },
    };
}
