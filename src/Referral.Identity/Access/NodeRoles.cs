namespace Referral.Identity.Access;

/// <summary>The roles a caller can hold; <see cref="RolePermissions"/> says what each may do.</summary>
public static class NodeRoles
{
    public const string Doctor = "doctor";
    public const string Specialist = "specialist";
    public const string Coordinator = "coordinator";
    public const string Admin = "admin";
    public const string PartnerNode = "partner-node";

    public static readonly IReadOnlyList<string> All = [Doctor, Specialist, Coordinator, Admin, PartnerNode];
}
