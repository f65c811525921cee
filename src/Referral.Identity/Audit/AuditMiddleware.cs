using Microsoft.AspNetCore.Http;

namespace Referral.Identity.Audit;

/// <summary>
/// Audits every FHIR interaction, allowed or refused (401, 403, 404 …): what the request is about is read from its
/// route on the way in, and its record is committed to the audit trail just before the response starts, so no
/// response leaves the node before its audit record is durable. A request that carried a batch or transaction Bundle
/// also leaves one record per entry (<see cref="AuditedBundle"/>), handed to the writer with the request's own so that
/// all of them are stored by the same group commit.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditWriter writer, AuditRecordFactory factory)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Captured now: an exception handler clears the route values before it writes the error response.
        if (AuditedInteraction.Of(context) is { } interaction)
        {
            context.Response.OnStarting(() => context.Features.Get<AuditedBundle>() is { } bundle
                ? writer.WriteAsync(factory.Create(context, interaction, bundle))
                : writer.WriteAsync(factory.Create(context, interaction)));
        }

        return next(context);
    }
}
