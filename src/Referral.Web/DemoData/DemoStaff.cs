using Hl7.Fhir.Model;
using Referral.Identity.Issuer;

namespace Referral.Web.DemoData;

/// <summary>The alliance's hospitals and this node's staff: an Organization per hospital, a Practitioner and PractitionerRole per demo user.</summary>
internal static class DemoStaff
{
    public static Organization Hospital(string id, string name) => new()
    {
        Id = id,
        Identifier = [new Identifier(DemoCodes.OrganizationSystem, id)],
        Active = true,
        Type = [DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider")],
        Name = name,
    };

    /// <summary>The users of the embedded issuer that name a Practitioner (the <c>fhirUser</c> of their tokens), as that Practitioner.</summary>
    public static IEnumerable<(Practitioner Practitioner, PractitionerRole Role)> ForUsers(IEnumerable<IssuerUser> users, string organizationId)
    {
        foreach (var user in users)
        {
            if (user.Practitioner is not { } reference || !reference.StartsWith("Practitioner/", StringComparison.Ordinal))
            {
                continue;
            }

            var id = reference["Practitioner/".Length..];
            var practitioner = new Practitioner
            {
                Id = id,
                Identifier = [new Identifier(DemoCodes.PractitionerSystem, id)],
                Active = true,
                Name = [new HumanName { Text = user.DisplayName }],
            };
            var role = new PractitionerRole
            {
                Id = $"{id}-role",
                Active = true,
                Practitioner = new ResourceReference(reference, user.DisplayName),
                Organization = new ResourceReference($"Organization/{organizationId}"),
                Code = [RoleCode(user.Role)],
                Specialty = Specialty(user.Role) is { } specialty ? [specialty] : [],
            };
            yield return (practitioner, role);
        }
    }

    private static CodeableConcept RoleCode(string role) => role switch
    {
        "doctor" or "specialist" => DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/practitioner-role", "doctor", "Doctor", role),
        _ => new CodeableConcept { Text = role },
    };

    private static CodeableConcept? Specialty(string role) => role switch
    {
        "doctor" => DemoCodes.Coded(DemoCodes.Snomed, "394802001", "General medicine"),
        "specialist" => DemoCodes.Coded(DemoCodes.Snomed, "394593009", "Medical oncology"),
        _ => null,
    };
}
