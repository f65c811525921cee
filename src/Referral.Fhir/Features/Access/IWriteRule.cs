using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// A rule every write must pass (or a consequence it stages, such as an outbox message), checked inside its database
/// transaction once the versions and their index rows are saved (so it can query them, and a refusal rolls the whole
/// write back).
/// </summary>
public interface IWriteRule
{
    Task CheckAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> written, CancellationToken ct);
}
