using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Search;

namespace Referral.Identity.Audit;

/// <summary>
/// What a FHIR request does, read from its matched route before the endpoint runs: the restful-interaction code
/// (https://hl7.org/fhir/R4/codesystem-restful-interaction.html), the audit action, and the resource it names.
/// </summary>
public sealed record AuditedInteraction(string Code, AuditEvent.AuditEventAction Action, string? ResourceType, string? Id, string? Version, string Query)
{
    /// <summary>Null for requests that are not FHIR interactions (the CapabilityStatement, the issuer, unknown routes).</summary>
    public static AuditedInteraction? Of(HttpContext context)
    {
        if ((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is not { } pattern
            || !pattern.StartsWith(FhirUrls.BasePath, StringComparison.Ordinal))
        {
            return null;
        }

        var route = pattern[FhirUrls.BasePath.Length..].TrimEnd('/');
        var values = context.Request.RouteValues;
        // A route mapped for one type by name (/AuditEvent/{id}, /Patient/{id}/$everything) is the same interaction as its /{type}/… form.
        var literal = route.Split('/', 3) is [_, var first, ..] && SearchParameterRegistry.IsResourceType(first) ? first : null;
        if (literal is not null)
        {
            route = "/{type}" + route[(literal.Length + 1)..];
        }

        var type = values["type"] as string ?? literal;
        (string Code, AuditEvent.AuditEventAction Action)? kind = (context.Request.Method, route) switch
        {
            (_, "/metadata") => null,
            ("GET", "/{type}/{id}") => ("read", AuditEvent.AuditEventAction.R),
            ("GET", "/{type}/{id}/_history/{vid}") => ("vread", AuditEvent.AuditEventAction.R),
            ("GET", "/{type}/{id}/_history") => ("history-instance", AuditEvent.AuditEventAction.R),
            ("GET", "/{type}/_history") => ("history-type", AuditEvent.AuditEventAction.R),
            ("GET", "/_history") => ("history-system", AuditEvent.AuditEventAction.R),
            ("GET", "/{type}") or ("POST", "/{type}/_search") => ("search-type", AuditEvent.AuditEventAction.E),
            ("GET", "") => ("search-system", AuditEvent.AuditEventAction.E),
            ("POST", "/{type}") => ("create", AuditEvent.AuditEventAction.C),
            ("PUT", _) => ("update", AuditEvent.AuditEventAction.U),
            ("PATCH", _) => ("patch", AuditEvent.AuditEventAction.U),
            ("DELETE", _) => ("delete", AuditEvent.AuditEventAction.D),
            ("POST", "") => ("transaction", AuditEvent.AuditEventAction.E),
            (_, var r) when r.Contains('$', StringComparison.Ordinal) => ("operation", AuditEvent.AuditEventAction.E),
            _ => null,
        };
        return kind is { } k
            ? new AuditedInteraction(k.Code, k.Action, type, values["id"] as string, values["vid"] as string, context.Request.QueryString.Value?.TrimStart('?') ?? "")
            : null;
    }
}
