using Referral.Persistence;

namespace Referral.Fhir.Features.Persistence;

/// <summary>
/// Told which versions a write unit stored once its transaction has committed, and never for an attempt that rolled
/// back (e.g. to push live worklist notifications). The write is durable by then: an observer must not throw, and
/// should hand slow work off rather than hold up the response.
/// </summary>
public interface ICommitObserver
{
    void Committed(IReadOnlyList<ResourceEntity> written);
}
