using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Features.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// Audits every FHIR interaction, allowed or refused (401, 403, 404 …): what the request is about is read from its
/// route on the way in, and the AuditEvent is stored just before the response starts, so no response leaves the node
/// before its audit record is durable.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditWriter writer, AuditEventFactory factory)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Captured now: an exception handler clears the route values before it writes the error response.
        if (AuditedInteraction.Of(context) is { } interaction)
        {
            context.Response.OnStarting(() =>
            {
                var audit = factory.Create(context, interaction);
                return writer.WriteAsync(audit, context.RequestServices.GetRequiredService<ResourceStore>().PrepareIndex(audit));
            });
        }

        return next(context);
    }
}
