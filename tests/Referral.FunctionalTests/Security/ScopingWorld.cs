using Hl7.Fhir.Model;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// Patients of the municipal node as the cancer hospital's partner node sees them, all under one tag so a test
/// counts only its own: A (the node's own, never referred), B (consented and referred to the cancer hospital, open referral),
/// C (active sharing Consent naming the cancer hospital), D (only an inactive Consent), E (managed by the cancer
/// hospital, filed by the partner), with Observations OA (about A) and OB (about B, focus A).
/// </summary>
public sealed class ScopingWorld
{
    public const string Partner = "Organization/cancer-hospital";

    private ScopingWorld(string tag) => Tag = tag;

    public string Tag { get; }

    public string TagQuery => $"_tag=urn:test:scoping|{Tag}";

    public Patient A { get; private set; } = null!;
    public Patient B { get; private set; } = null!;
    public Patient C { get; private set; } = null!;
    public Patient D { get; private set; } = null!;
    public Patient E { get; private set; } = null!;
    public Observation OA { get; private set; } = null!;
    public Observation OB { get; private set; } = null!;
    public ServiceRequest ReferralOfB { get; private set; } = null!;
    public Consent ConsentOfB { get; private set; } = null!;

    public IEnumerable<string> PartnerVisiblePatients => [B.Id!, C.Id!, E.Id!];

    public static async Task<ScopingWorld> CreateAsync(HttpClient admin, HttpClient partner)
    {
        var world = new ScopingWorld(Guid.NewGuid().ToString("N"));
        world.A = await admin.CreateAsync(world.NewPatient("Alpha"));
        world.B = await admin.CreateAsync(world.NewPatient("Beta"));
        world.C = await admin.CreateAsync(world.NewPatient("Gamma"));
        world.D = await admin.CreateAsync(world.NewPatient("Delta"));
        var e = world.NewPatient("Epsilon");
        e.ManagingOrganization = new ResourceReference(Partner);
        // The home organisation cannot file a patient it would not manage; the partner files its own.
        world.E = await partner.CreateAsync(e);
        world.ConsentOfB = await admin.CreateAsync(SharingConsent(world.B, Consent.ConsentState.Active, world.Tagged()));
        world.ReferralOfB = await admin.CreateAsync(Referral(world.B, world.Tagged()));
        await admin.CreateAsync(SharingConsent(world.C, Consent.ConsentState.Active, world.Tagged()));
        await admin.CreateAsync(SharingConsent(world.D, Consent.ConsentState.Inactive, world.Tagged()));
        world.OA = await admin.CreateAsync(world.NewObservation(world.A, focus: null));
        world.OB = await admin.CreateAsync(world.NewObservation(world.B, focus: world.A));
        return world;
    }

    public Meta Tagged() => new() { Tag = [new Coding("urn:test:scoping", Tag)] };

    public Patient NewPatient(string family) => new() { Meta = Tagged(), Name = [new HumanName { Family = family }] };

    public Observation NewObservation(Patient subject, Patient? focus) => new()
    {
        Meta = Tagged(),
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "8480-6"),
        Subject = new ResourceReference($"Patient/{subject.Id}"),
        Focus = focus is null ? [] : [new ResourceReference($"Patient/{focus.Id}")],
    };

    /// <summary>An open upward referral of <paramref name="patient"/> to the cancer hospital.</summary>
    public static ServiceRequest Referral(Patient patient, Meta meta) => new()
    {
        Meta = meta,
        Status = RequestStatus.Active,
        Intent = RequestIntent.Order,
        Category = [new CodeableConcept("http://snomed.info/sct", "3457005", "Patient referral")],
        Subject = new ResourceReference($"Patient/{patient.Id}"),
        Performer = [new ResourceReference(Partner)],
    };

    /// <summary>The patient's agreement to share records with the cancer hospital.</summary>
    public static Consent SharingConsent(Patient patient, Consent.ConsentState state, Meta meta) => new()
    {
        Meta = meta,
        Status = state,
        Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
        Category = [new CodeableConcept("http://loinc.org", "59284-0")],
        Patient = new ResourceReference($"Patient/{patient.Id}"),
        Provision = new Consent.provisionComponent
        {
            Type = Consent.ConsentProvisionType.Permit,
            Actor = [new Consent.provisionActorComponent
            {
                Role = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP"),
                Reference = new ResourceReference(Partner),
            }],
        },
    };
}
