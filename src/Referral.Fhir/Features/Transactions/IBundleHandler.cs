using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;

namespace Referral.Fhir.Features.Transactions;

/// <summary>
/// Takes over Bundles posted to the base that are messages of a protocol built on transactions (e.g. a partner's
/// referral package, applied once per Bundle.identifier); returns null for Bundles it does not handle.
/// </summary>
public interface IBundleHandler
{
    Task<IResult?> TryHandleAsync(Bundle bundle, HttpContext context, CancellationToken ct);
}
