using System.Text;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Referral.Identity.Access;

namespace Referral.Identity.Audit;

/// <summary>
/// Builds the AuditEvent of one request: who (the person or client, with its subject), on behalf of which
/// organisation, from which address, what (the resource, or the query of a search), when, and the outcome.
/// </summary>
public sealed class AuditEventFactory(IOptions<NodeOptions> node, IOptions<NodeAuthenticationOptions> auth, TimeProvider clock)
{
    private const string RestfulInteraction = "http://hl7.org/fhir/restful-interaction";

    public AuditEvent Create(HttpContext context, AuditedInteraction interaction)
    {
        var caller = FhirCaller.From(context.User, auth.Value);
        var status = context.Response.StatusCode;
        var audit = new AuditEvent
        {
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
            Subtype = [new Coding(RestfulInteraction, interaction.Code)],
            Action = interaction.Action,
            Recorded = clock.GetUtcNow(),
            Outcome = status switch
            {
                < 400 => AuditEvent.AuditEventOutcome.N0,
                < 500 => AuditEvent.AuditEventOutcome.N4,
                _ => AuditEvent.AuditEventOutcome.N8,
            },
            OutcomeDesc = $"HTTP {status}",
            Agent = [Requestor(caller, context)],
            Source = new AuditEvent.SourceComponent
            {
                Site = node.Value.Name,
                Observer = new ResourceReference(node.Value.Organization),
                Type = [new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
            },
            Entity = [.. Entities(context, interaction)],
        };
        if (caller.Organization is { } organization)
        {
            audit.Agent.Add(new AuditEvent.AgentComponent
            {
                Who = new ResourceReference(organization),
                Requestor = false,
                Type = new CodeableConcept { Text = "organisation acted for" },
            });
        }

        return audit;
    }

    private static AuditEvent.AgentComponent Requestor(FhirCaller caller, HttpContext context)
    {
        var who = caller.FhirUser is { } fhirUser
            ? new ResourceReference(fhirUser, caller.Name)
            : caller.IsAuthenticated
                ? new ResourceReference { Identifier = new Identifier("urn:referral:oauth-client", caller.ClientId ?? caller.Subject), Display = caller.Display }
                : new ResourceReference { Display = "unauthenticated caller" };
        return new AuditEvent.AgentComponent
        {
            Who = who,
            AltId = caller.Subject,
            Name = caller.IsAuthenticated ? caller.Display : null,
            Requestor = true,
            Role = [.. caller.Roles.Select(r => new CodeableConcept("urn:referral:role", r))],
            Network = context.Connection.RemoteIpAddress is { } address
                ? new AuditEvent.NetworkComponent { Address = address.ToString(), Type = AuditEvent.AuditEventAgentNetworkType.N2 }
                : null,
        };
    }

    private static IEnumerable<AuditEvent.EntityComponent> Entities(HttpContext context, AuditedInteraction interaction)
    {
        var target = TargetOf(context, interaction);
        if (target is not null)
        {
            yield return new AuditEvent.EntityComponent
            {
                What = new ResourceReference(target),
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                Role = interaction.ResourceType == "Patient" ? new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient") : null,
            };
        }

        if (interaction.Query.Length > 0 || target is null)
        {
            yield return new AuditEvent.EntityComponent
            {
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                Role = new Coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"),
                Description = interaction.ResourceType ?? "all resource types",
                Query = Encoding.UTF8.GetBytes(interaction.Query),
            };
        }
    }

    /// <summary>The resource acted on: from the route, or for a create from the Location of the stored version.</summary>
    private static string? TargetOf(HttpContext context, AuditedInteraction interaction)
    {
        if (interaction.Id is { } id)
        {
            return interaction.Version is { } version ? $"{interaction.ResourceType}/{id}/_history/{version}" : $"{interaction.ResourceType}/{id}";
        }

        var location = context.Response.Headers.Location.ToString();
        var at = interaction.ResourceType is { } type ? location.LastIndexOf($"/{type}/", StringComparison.Ordinal) : -1;
        return at >= 0 ? location[(at + 1)..] : null;
    }
}
