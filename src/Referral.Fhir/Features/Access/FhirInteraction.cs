namespace Referral.Fhir.Features.Access;

/// <summary>The FHIR REST interactions a caller's permissions are granted for (patch counts as update).</summary>
public enum FhirInteraction
{
    Read,
    VRead,
    Search,
    History,
    Create,
    Update,
    Delete,
    Operation,
}
