using System.Linq.Expressions;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Identity.Access;

/// <summary>
/// The policy of the current flow: the HTTP caller's <see cref="OrganizationAccessPolicy"/>, or no restriction for
/// the node's own work (background jobs, and <see cref="NodeWork"/> begun inside a request).
/// </summary>
public sealed class CallerAccessPolicy(CallerContext callers, NodeOptions node) : IFhirAccessPolicy
{
    private static readonly IFhirAccessPolicy Unrestricted = UnrestrictedAccessPolicy.Instance;
    private IFhirAccessPolicy? _callerPolicy;

    public void Demand(FhirInteraction interaction, string? resourceType) => Current.Demand(interaction, resourceType);

    public bool Allows(FhirInteraction interaction, string resourceType) => Current.Allows(interaction, resourceType);

    public Expression<Func<ResourceEntity, bool>>? ReadScope(FhirDbContext db) => Current.ReadScope(db);

    public Expression<Func<ResourceEntity, bool>>? WriteScope(FhirDbContext db) => Current.WriteScope(db);

    public string? ReadScopeKey => Current.ReadScopeKey;

    private IFhirAccessPolicy Current
    {
        get
        {
            if (NodeWork.Current is not null || callers.RequestCaller is not { } caller)
            {
                return Unrestricted;
            }

            return _callerPolicy ??= new OrganizationAccessPolicy(caller, node);
        }
    }
}
