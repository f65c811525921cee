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

    public const string ResidentIdSystem = "urn:oid:2.16.156.10011.1.5";
    public const string MpiSystem = "urn:alliance:mpi";
}
