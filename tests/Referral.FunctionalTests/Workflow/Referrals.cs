using Hl7.Fhir.Model;

namespace Referral.FunctionalTests.Workflow;

/// <summary>Builds what a municipal doctor submits: the patient's sharing Consent, the referral ServiceRequest and its Task.</summary>
public static class Referrals
{
    public const string System = "http://fhir.alliance.example/identifier/referral";

    public static Patient Patient(string residentId, string birthDate = "1961-03-14") => new()
    {
        Identifier = [new Identifier("urn:oid:2.16.156.10011.1.5", residentId), new Identifier("urn:alliance:mpi", "MPI" + residentId[^6..])],
        Name = [new HumanName { Family = "王", Given = ["建国"], Text = "王建国" }],
        Gender = AdministrativeGender.Male,
        BirthDate = birthDate,
        ManagingOrganization = new ResourceReference(TwoNodes.Municipal),
    };

    /// <summary>A transaction: Consent + ServiceRequest + Task (requested, owner the cancer hospital) for an existing patient.</summary>
    public static Bundle Submit(string patientId, string referralId, params string[] supportingInfo) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Entry =
        [
            Post("urn:uuid:00000000-0000-4000-8000-000000000001", new Consent
            {
                Status = Consent.ConsentState.Active,
                Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
                Category = [new CodeableConcept("http://loinc.org", "59284-0")],
                Patient = new ResourceReference($"Patient/{patientId}"),
                Provision = new Consent.provisionComponent
                {
                    Type = Consent.ConsentProvisionType.Permit,
                    Actor = [new Consent.provisionActorComponent { Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP"), Reference = new ResourceReference(TwoNodes.Cancer) }],
                },
            }),
            Post("urn:uuid:00000000-0000-4000-8000-000000000002", new ServiceRequest
            {
                Identifier = [new Identifier(System, referralId)],
                Status = RequestStatus.Active,
                Intent = RequestIntent.Order,
                Category = [new CodeableConcept("http://snomed.info/sct", "3457005", "Patient referral")],
                Priority = RequestPriority.Urgent,
                Subject = new ResourceReference($"Patient/{patientId}"),
                Performer = [new ResourceReference(TwoNodes.Cancer)],
                ReasonCode = [new CodeableConcept("http://fhir.alliance.example/CodeSystem/referral-reason", "suspected-malignancy")],
                SupportingInfo = [.. supportingInfo.Select(s => new ResourceReference(s))],
            }),
            Post("urn:uuid:00000000-0000-4000-8000-000000000003", new Hl7.Fhir.Model.Task
            {
                Identifier = [new Identifier(System, referralId)],
                Status = Hl7.Fhir.Model.Task.TaskStatus.Requested,
                Intent = Hl7.Fhir.Model.Task.TaskIntent.Order,
                Focus = new ResourceReference("urn:uuid:00000000-0000-4000-8000-000000000002"),
                For = new ResourceReference($"Patient/{patientId}"),
                Requester = new ResourceReference(TwoNodes.Municipal),
                Owner = new ResourceReference(TwoNodes.Cancer),
            }),
        ],
    };

    private static Bundle.EntryComponent Post(string fullUrl, Resource resource) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
    };
}
