using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Referral.Identity;
using Referral.Identity.Tokens;

namespace Referral.Workflow.Worklists;

/// <summary>
/// Live worklists: a connected client is told whenever a referral Task of its organisation changes at this node (and
/// coordinators when a patient match is held or resolved). Clients only listen; they read the worklists themselves
/// with FHIR searches. Authenticated with the node's bearer tokens (header, or <c>access_token</c> for WebSockets).
/// </summary>
public sealed class WorklistHub(IOptions<NodeAuthenticationOptions> auth, IOptions<NodeOptions> node) : Hub<IWorklistClient>
{
    public const string Path = BearerTokenSetup.HubPathPrefix + "/worklist";

    /// <summary>The authorization policy of the hub endpoint (see <see cref="WorklistGroups.MayWatch"/>).</summary>
    public const string Policy = "worklist";

    public override async Task OnConnectedAsync()
    {
        foreach (var group in WorklistGroups.For(Context.User!, auth.Value, node.Value))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group, Context.ConnectionAborted);
        }

        await base.OnConnectedAsync();
    }
}
