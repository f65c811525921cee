namespace Referral.Identity.Access;

/// <summary>
/// The permission set of each role, per group of resource types. Scopes in the token can only narrow it. The table is
/// the documented contract (README, "Roles"); the role × interaction tests check it row by row.
/// </summary>
public static class RolePermissions
{
    /// <summary>Which group a resource type's permissions come from.</summary>
    public enum ResourceGroup
    {
        Clinical,
        Workflow,
        Administrative,
        Conformance,
        Audit,
    }

    private static readonly Dictionary<string, ResourceGroup> Groups = new(StringComparer.Ordinal)
    {
        ["ServiceRequest"] = ResourceGroup.Workflow,
        ["Task"] = ResourceGroup.Workflow,
        ["Appointment"] = ResourceGroup.Workflow,
        ["AppointmentResponse"] = ResourceGroup.Workflow,
        ["Slot"] = ResourceGroup.Workflow,
        ["Schedule"] = ResourceGroup.Workflow,
        ["Communication"] = ResourceGroup.Workflow,
        ["CommunicationRequest"] = ResourceGroup.Workflow,
        ["Consent"] = ResourceGroup.Workflow,
        ["Provenance"] = ResourceGroup.Workflow,
        ["Organization"] = ResourceGroup.Administrative,
        ["Practitioner"] = ResourceGroup.Administrative,
        ["PractitionerRole"] = ResourceGroup.Administrative,
        ["Location"] = ResourceGroup.Administrative,
        ["HealthcareService"] = ResourceGroup.Administrative,
        ["Endpoint"] = ResourceGroup.Administrative,
        ["Device"] = ResourceGroup.Administrative,
        ["StructureDefinition"] = ResourceGroup.Conformance,
        ["ValueSet"] = ResourceGroup.Conformance,
        ["CodeSystem"] = ResourceGroup.Conformance,
        ["ConceptMap"] = ResourceGroup.Conformance,
        ["SearchParameter"] = ResourceGroup.Conformance,
        ["OperationDefinition"] = ResourceGroup.Conformance,
        ["CapabilityStatement"] = ResourceGroup.Conformance,
        ["NamingSystem"] = ResourceGroup.Conformance,
        ["Questionnaire"] = ResourceGroup.Conformance,
        ["AuditEvent"] = ResourceGroup.Audit,
    };

    private const Permission Crus = Permission.Create | Permission.Read | Permission.Update | Permission.Search;
    private const Permission Rs = Permission.Read | Permission.Search;

    private static readonly Dictionary<string, Dictionary<ResourceGroup, Permission>> Table = new(StringComparer.Ordinal)
    {
        // Doctors and specialists record care and run referrals both ways; nobody clinical deletes (errors are entered-in-error).
        [NodeRoles.Doctor] = Row(clinical: Crus, workflow: Crus, administrative: Rs, conformance: Rs, audit: Permission.None),
        [NodeRoles.Specialist] = Row(clinical: Crus, workflow: Crus, administrative: Rs, conformance: Rs, audit: Permission.None),
        // Coordinators triage worklists, book and match patients: they read the record but write only workflow and Patient.
        [NodeRoles.Coordinator] = Row(clinical: Rs, workflow: Crus, administrative: Rs, conformance: Rs, audit: Permission.None),
        [NodeRoles.Admin] = Row(clinical: Permission.All, workflow: Permission.All, administrative: Permission.All, conformance: Permission.All, audit: Rs),
        // The partner node files referral packages (records, the referring practitioner) and status changes; no deletes.
        [NodeRoles.PartnerNode] = Row(clinical: Crus, workflow: Crus, administrative: Crus, conformance: Rs, audit: Permission.None),
    };

    public static ResourceGroup GroupOf(string resourceType) =>
        Groups.TryGetValue(resourceType, out var group) ? group : ResourceGroup.Clinical;

    /// <summary>What the roles together allow on <paramref name="resourceType"/>; unknown roles allow nothing.</summary>
    public static Permission For(IEnumerable<string> roles, string resourceType)
    {
        var group = GroupOf(resourceType);
        var granted = Permission.None;
        foreach (var role in roles)
        {
            if (Table.TryGetValue(role, out var row))
            {
                granted |= row[group];
            }
        }

        // Coordinators register and match patients.
        if (resourceType == "Patient" && roles.Contains(NodeRoles.Coordinator))
        {
            granted |= Crus;
        }

        return granted;
    }

    private static Dictionary<ResourceGroup, Permission> Row(Permission clinical, Permission workflow, Permission administrative, Permission conformance, Permission audit) => new()
    {
        [ResourceGroup.Clinical] = clinical,
        [ResourceGroup.Workflow] = workflow,
        [ResourceGroup.Administrative] = administrative,
        [ResourceGroup.Conformance] = conformance,
        [ResourceGroup.Audit] = audit,
    };
}
