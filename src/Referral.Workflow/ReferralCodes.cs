namespace Referral.Workflow;

/// <summary>The alliance's canonical URLs, identifier systems and codes the workflow reads and writes (see fhir-profiles/).</summary>
public static class ReferralCodes
{
    public const string Base = "http://fhir.alliance.example";

    /// <summary>The business identifier a referral's ServiceRequest and Task share on both nodes.</summary>
    public const string ReferralIdentifierSystem = Base + "/identifier/referral";

    /// <summary>The <c>Bundle.identifier</c> system of packages and status messages between nodes.</summary>
    public const string PackageIdentifierSystem = Base + "/identifier/package";

    /// <summary>Where a record sent in a package came from (<c>Organization/x/Type/id</c>), so re-sending never duplicates it.</summary>
    public const string SourceRecordSystem = Base + "/identifier/source-record";

    public const string BserBusinessStatus = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS";
    public const string AllianceBusinessStatus = Base + "/CodeSystem/referral-business-status";

    /// <summary>Task.input/output types of a referral: the awaiting-information question and answers, the booked appointment.</summary>
    public const string TaskParameterSystem = Base + "/CodeSystem/referral-task-parameter";
    public const string InformationRequest = "information-request";
    public const string InformationResponse = "information-response";
    public const string AppointmentOutput = "appointment";

    /// <summary>FHIR's Task codes; a cancellation request is a Task with code <c>abort</c> whose focus is the referral Task.</summary>
    public const string TaskCodeSystem = "http://hl7.org/fhir/CodeSystem/task-code";
    public const string Abort = "abort";

    /// <summary>A coordinator's to-do to book a follow-up: a Task with code <c>fulfill</c> whose focus is the follow-up ServiceRequest.</summary>
    public const string Fulfill = "fulfill";

    /// <summary>
    /// The identifier of a follow-up ServiceRequest and its to-do Task made from an activity of a downward referral's
    /// CarePlan: <c>CarePlan/[id]/activity/[index]</c>, so the plan is acted on once.
    /// </summary>
    public const string FollowUpIdentifierSystem = Base + "/identifier/follow-up";

    /// <summary>The <c>meta.tag</c> marking a Slot the cancer hospital reserves for alliance referrals (green channel).</summary>
    public const string SlotReservationSystem = Base + "/CodeSystem/slot-reservation";
    public const string AllianceReferralSlot = "alliance-referral";

    public const string ResidentIdSystem = "urn:oid:2.16.156.10011.1.5";
    public const string MpiSystem = "urn:alliance:mpi";
}
