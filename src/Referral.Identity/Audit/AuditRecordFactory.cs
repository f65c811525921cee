using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referral.Identity.Access;

namespace Referral.Identity.Audit;

/// <summary>
/// Records one request for the audit trail: who (the person or client, with its subject), on behalf of which
/// organisation, from which address, what (the resource, or the query of a search), when, and the status answered; and
/// each interaction a batch or transaction Bundle carried, with the same who, where and when.
/// </summary>
public sealed class AuditRecordFactory(IOptions<NodeAuthenticationOptions> auth, TimeProvider clock)
{
    /// <summary>The request's record, with the status it answered and, for a create, the resource its Location names.</summary>
    public AuditRecord Create(HttpContext context, AuditedInteraction interaction) =>
        Create(Requestor(context), interaction, context.Response.StatusCode, LocationOf(context, interaction));

    /// <summary>
    /// The request's record (saying batch or transaction by the Bundle's type) followed by one record per entry of its
    /// Bundles, in Bundle order. An entry without an outcome of its own takes the status the request answered.
    /// </summary>
    public List<AuditRecord> Create(HttpContext context, AuditedInteraction interaction, AuditedBundle bundle)
    {
        var requestor = Requestor(context);
        var status = context.Response.StatusCode;
        var request = interaction.Code == "transaction" ? interaction with { Code = bundle.Code } : interaction;
        var records = new List<AuditRecord>(bundle.Entries.Count + 1) { Create(requestor, request, status, LocationOf(context, interaction)) };
        foreach (var entry in bundle.Entries)
        {
            records.Add(Create(requestor, AuditedInteraction.Of(entry), entry.Status ?? status, located: null));
        }

        return records;
    }

    /// <summary>Who asked, from where and when: the same for every record of one request.</summary>
    private sealed record RequestorFacts(
        long RecordedTicks, string? AgentReference, string? AgentClient, string? AgentDisplay, string? AltId, string? AgentName, string? Roles,
        string? Address, string? Organization, string RequestId);

    private RequestorFacts Requestor(HttpContext context)
    {
        // The caller the access policy already read from the token, when the request got that far.
        var caller = context.RequestServices.GetRequiredService<CallerContext>().RequestCaller ?? FhirCaller.From(context.User, auth.Value);
        return new RequestorFacts(
            clock.GetUtcNow().UtcTicks,
            caller.FhirUser,
            caller.FhirUser is null && caller.IsAuthenticated ? caller.ClientId ?? caller.Subject : null,
            caller.FhirUser is not null ? caller.Name : caller.IsAuthenticated ? caller.Display : null,
            caller.Subject,
            caller.IsAuthenticated ? caller.Display : null,
            caller.Roles.Count == 0 ? null : string.Join(' ', caller.Roles),
            context.Connection.RemoteIpAddress?.ToString(),
            caller.Organization,
            context.TraceIdentifier);
    }

    /// <summary>
    /// One interaction's record. Its target is the resource the interaction names, else <paramref name="located"/> (the
    /// resource a create made); a search, history or anything without a target records its query.
    /// </summary>
    private static AuditRecord Create(RequestorFacts who, AuditedInteraction interaction, int status, (string Type, string Id, string? Version)? located)
    {
        var record = new AuditRecord
        {
            RecordedTicks = who.RecordedTicks,
            Subtype = interaction.Code,
            Action = interaction.Action.ToString(),
            Status = status,
            AgentReference = who.AgentReference,
            AgentClient = who.AgentClient,
            AgentDisplay = who.AgentDisplay,
            AltId = who.AltId,
            AgentName = who.AgentName,
            Roles = who.Roles,
            Address = who.Address,
            Organization = who.Organization,
            RequestId = who.RequestId,
        };

        if ((interaction.Id is { } id && interaction.ResourceType is { } resourceType ? (resourceType, id, interaction.Version) : located) is { } target)
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

    /// <summary>The resource a create stored, from the Location of its version; null without one.</summary>
    private static (string Type, string Id, string? Version)? LocationOf(HttpContext context, AuditedInteraction interaction)
    {
        if (interaction.Id is not null || interaction.ResourceType is not { } type)
        {
            return null;
        }

        var location = context.Response.Headers.Location.ToString();
        var at = location.LastIndexOf($"/{type}/", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        // Location: <base>/Type/id/_history/version
        var parts = location[(at + 1)..].Split('/');
        return parts.Length >= 2 ? (parts[0], parts[1], parts.Length >= 4 && parts[2] == "_history" ? parts[3] : null) : null;
    }
}
