using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Identity.Access;

/// <summary>
/// Every write a partner node makes here is stored with a Provenance naming the partner organisation (author) and
/// the client that wrote (performer, on behalf of the organisation), targeting each version written.
/// </summary>
public sealed class PartnerProvenance(CallerContext callers, TimeProvider clock, IOptions<NodeOptions> node) : IWriteAttribution
{
    private const string ParticipantTypes = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

    public Provenance? For(IReadOnlyList<ResourceEntity> written)
    {
        if (callers.Caller is not { } caller || !caller.Roles.Contains(NodeRoles.PartnerNode) || written.Count == 0)
        {
            return null;
        }

        var organization = new ResourceReference(caller.Organization ?? node.Value.Organization);
        return new Provenance
        {
            Target = [.. written.Select(e => new ResourceReference($"{e.ResourceType}/{e.ResourceId}/_history/{e.VersionId}"))],
            Recorded = clock.GetUtcNow(),
            Activity = new CodeableConcept(
                "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                written.All(e => e.VersionId == 1) ? "CREATE" : "UPDATE"),
            Agent =
            [
                new Provenance.AgentComponent
                {
                    Type = new CodeableConcept(ParticipantTypes, "author", "Author"),
                    Who = organization,
                },
                new Provenance.AgentComponent
                {
                    Type = new CodeableConcept(ParticipantTypes, "performer", "Performer"),
                    Who = new ResourceReference { Identifier = new Identifier("urn:referral:oauth-client", caller.ClientId ?? caller.Subject), Display = caller.Display },
                    OnBehalfOf = organization,
                },
            ],
        };
    }
}
