using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// Says on whose behalf a write happened: a Provenance to store with it, in the same transaction, or null when the
/// caller's writes need none.
/// </summary>
public interface IWriteAttribution
{
    Provenance? For(IReadOnlyList<ResourceEntity> written);
}

/// <summary>No attribution: the default of a node without identity.</summary>
public sealed class NoWriteAttribution : IWriteAttribution
{
    public Provenance? For(IReadOnlyList<ResourceEntity> written) => null;
}
