using System.Text;
using Hl7.Fhir.Model;

namespace Referral.Identity.Audit;

/// <summary>
/// An audit trail row as the R4 AuditEvent the API answers: who (the person or client, with subject, roles and
/// address), on behalf of which organisation, what (the resource, or the query of a search), when, the outcome, and
/// this node as the source. Rendering is a pure function of the row, so an AuditEvent never changes once recorded.
/// </summary>
public static class AuditEventRendering
{
    public const string RestfulInteraction = "http://hl7.org/fhir/restful-interaction";
    public const string EventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string EntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string RoleSystem = "urn:referral:role";
    public const string ClientSystem = "urn:referral:oauth-client";

    /// <summary>IHE Basic Audit Log Patterns' entity type for the identifier of the HTTP request an interaction came in.</summary>
    public const string BasicAuditEntityType = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";

    /// <summary>The outcome code of an HTTP status: 0 success, 4 minor failure (refused, not found, bad request), 8 serious failure.</summary>
    public static AuditEvent.AuditEventOutcome OutcomeOf(int status) => status switch
    {
        < 400 => AuditEvent.AuditEventOutcome.N0,
        < 500 => AuditEvent.AuditEventOutcome.N4,
        _ => AuditEvent.AuditEventOutcome.N8,
    };

    public static AuditEvent Render(AuditRecord record, NodeOptions node)
    {
        var audit = new AuditEvent
        {
            Id = record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Meta = new Meta { VersionId = "1", LastUpdated = record.Recorded },
            Type = new Coding(EventType, "rest", "RESTful Operation"),
            Subtype = [new Coding(RestfulInteraction, record.Subtype)],
            Action = Enum.Parse<AuditEvent.AuditEventAction>(record.Action),
            Recorded = record.Recorded,
            Outcome = OutcomeOf(record.Status),
            OutcomeDesc = $"HTTP {record.Status}",
            Agent = [Requestor(record)],
            Source = new AuditEvent.SourceComponent
            {
                Site = node.Name,
                Observer = new ResourceReference(node.Organization),
                Type = [new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
            },
        };
        if (record.Organization is { } organization)
        {
            audit.Agent.Add(new AuditEvent.AgentComponent
            {
                Who = new ResourceReference(organization),
                Requestor = false,
                Type = new CodeableConcept { Text = "organisation acted for" },
            });
        }

        if (record.EntityType is { } type)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference(record.EntityVersion is { } version ? $"{type}/{record.EntityId}/_history/{version}" : $"{type}/{record.EntityId}"),
                Type = new Coding(EntityType, "2", "System Object"),
                Role = type == "Patient" ? new Coding(ObjectRole, "1", "Patient") : null,
            });
        }

        if (record.QueryType is { } searched)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                Type = new Coding(EntityType, "2", "System Object"),
                Role = new Coding(ObjectRole, "24", "Query"),
                Description = searched,
                Query = Encoding.UTF8.GetBytes(record.Query ?? ""),
            });
        }

        if (record.RequestId is { } requestId)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference { Identifier = new Identifier { Value = requestId } },
                Type = new Coding(BasicAuditEntityType, "XrequestId", "transport specific unique identifier where http X-Request-Id is used"),
            });
        }

        return audit;
    }

    private static AuditEvent.AgentComponent Requestor(AuditRecord record) => new()
    {
        Who = record.AgentReference is { } person
            ? new ResourceReference(person, record.AgentDisplay)
            : record.AgentClient is { } client
                ? new ResourceReference { Identifier = new Identifier(ClientSystem, client), Display = record.AgentDisplay }
                : new ResourceReference { Display = "unauthenticated caller" },
        AltId = record.AltId,
        Name = record.AgentName,
        Requestor = true,
        Role = [.. (record.Roles ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(r => new CodeableConcept(RoleSystem, r))],
        Network = record.Address is { } address ? new AuditEvent.NetworkComponent { Address = address, Type = AuditEvent.AuditEventAgentNetworkType.N2 } : null,
    };
}
