using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referral.Identity.Access;

namespace Referral.Identity.Audit;

/// <summary>
/// Records one request for the audit trail: who (the person or client, with its subject), on behalf of which
/// organisation, from which address, what (the resource, or the query of a search), when, and the status answered.
/// </summary>
public sealed class AuditRecordFactory(IOptions<NodeAuthenticationOptions> auth, TimeProvider clock)
{
    public AuditRecord Create(HttpContext context, AuditedInteraction interaction)
    {
        // The caller the access policy already read from the token, when the request got that far.
        var caller = context.RequestServices.GetRequiredService<CallerContext>().RequestCaller ?? FhirCaller.From(context.User, auth.Value);
        var record = new AuditRecord
        {
            RecordedTicks = clock.GetUtcNow().UtcTicks,
            Subtype = interaction.Code,
            Action = interaction.Action.ToString(),
            Status = context.Response.StatusCode,
            AgentReference = caller.FhirUser,
            AgentClient = caller.FhirUser is null && caller.IsAuthenticated ? caller.ClientId ?? caller.Subject : null,
            AgentDisplay = caller.FhirUser is not null ? caller.Name : caller.IsAuthenticated ? caller.Display : null,
            AltId = caller.Subject,
            AgentName = caller.IsAuthenticated ? caller.Display : null,
            Roles = caller.Roles.Count == 0 ? null : string.Join(' ', caller.Roles),
            Address = context.Connection.RemoteIpAddress?.ToString(),
            Organization = caller.Organization,
        };

        if (TargetOf(context, interaction) is { } target)
        {
            (record.EntityType, record.EntityId, record.EntityVersion) = target;
        }

        if (interaction.Query.Length > 0 || record.EntityType is null)
        {
            record.QueryType = interaction.ResourceType ?? "all resource types";
            record.Query = interaction.Query;
        }

        return record;
    }

    /// <summary>The resource acted on: from the route, or for a create from the Location of the stored version.</summary>
    private static (string Type, string Id, string? Version)? TargetOf(HttpContext context, AuditedInteraction interaction)
    {
        if (interaction.Id is { } id && interaction.ResourceType is { } resourceType)
        {
            return (resourceType, id, interaction.Version);
        }

        var location = context.Response.Headers.Location.ToString();
        var at = interaction.ResourceType is { } type ? location.LastIndexOf($"/{type}/", StringComparison.Ordinal) : -1;
        if (at < 0)
        {
            return null;
        }

        // Location: <base>/Type/id/_history/version
        var parts = location[(at + 1)..].Split('/');
        return parts.Length >= 2 ? (parts[0], parts[1], parts.Length >= 4 && parts[2] == "_history" ? parts[3] : null) : null;
    }
}
