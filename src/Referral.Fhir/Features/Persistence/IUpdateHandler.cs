using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;

namespace Referral.Fhir.Features.Persistence;

/// <summary>
/// Takes over an update (<c>PUT [type]/[id]</c>) that is a command of a workflow built on it (e.g. a coordinator
/// completing a patient-match Task, which files the held package in the same transaction); returns null for updates it
/// does not handle, which are then stored as usual.
/// </summary>
public interface IUpdateHandler
{
    Task<IResult?> TryHandleAsync(Resource resource, string id, HttpContext context, CancellationToken ct);
}
