using System.Security.Claims;
using Referral.Identity;
using Referral.Identity.Access;

namespace Referral.Workflow.Worklists;

/// <summary>
/// The SignalR groups of the worklist hub: one per organisation (referral changes that organisation is a party to)
/// and one per organisation and role (the coordinators' matching queue).
/// </summary>
public static class WorklistGroups
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";

    /// <param name="organization">An organisation as <c>Organization/id</c>.</param>
    public static string Organization(string organization) => $"org:{organization}";

    public static string Role(string organization, string role) => $"org:{organization}|role:{role}";

    /// <summary>
    /// Whether a caller may watch worklists: it acts for an organisation and may read Tasks (role and token scopes);
    /// what it then learns from FHIR searches stays limited to its organisation's patients.
    /// </summary>
    public static bool MayWatch(FhirCaller caller) =>
        caller.Organization is not null && caller.PermissionsOn("Task").HasFlag(Permission.Read);

    /// <summary>The groups a connection joins; with authentication off the node is open, so a connection joins the home organisation's groups.</summary>
    public static IEnumerable<string> For(ClaimsPrincipal user, NodeAuthenticationOptions auth, NodeOptions node)
    {
        if (!auth.Enabled)
        {
            return [Organization(node.Organization), .. NodeRoles.All.Select(role => Role(node.Organization, role))];
        }

        var caller = FhirCaller.From(user, auth);
        return MayWatch(caller) ? [Organization(caller.Organization!), .. caller.Roles.Select(role => Role(caller.Organization!, role))] : [];
    }
}
