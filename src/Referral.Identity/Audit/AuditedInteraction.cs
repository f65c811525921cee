using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Transactions;

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
        var code = (context.Request.Method, route) switch
        {
            (_, "/metadata") => null,
            ("GET", "/{type}/{id}") => "read",
            ("GET", "/{type}/{id}/_history/{vid}") => "vread",
            ("GET", "/{type}/{id}/_history") => "history-instance",
            ("GET", "/{type}/_history") => "history-type",
            ("GET", "/_history") => "history-system",
            ("GET", "/{type}") or ("POST", "/{type}/_search") => "search-type",
            ("GET", "") => "search-system",
            ("POST", "/{type}") => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", _) => "delete",
            // Until the Bundle is read: then its type says batch or transaction (AuditedBundle).
            ("POST", "") => "transaction",
            (_, var r) when r.Contains('$', StringComparison.Ordinal) => "operation",
            _ => null,
        };
        return code is not null
            ? new AuditedInteraction(code, ActionOf(code), type, values["id"] as string, values["vid"] as string, context.Request.QueryString.Value?.TrimStart('?') ?? "")
            : null;
    }

    /// <summary>An entry of a batch or transaction Bundle, audited as the same request outside the Bundle.</summary>
    public static AuditedInteraction Of(EntryInteraction entry) =>
        new(entry.Code, ActionOf(entry.Code), entry.ResourceType, entry.Id, entry.Version, entry.Query);

    /// <summary>The audit-event-action of a restful-interaction: reads R, searches and other operations E, writes C, U or D.</summary>
    public static AuditEvent.AuditEventAction ActionOf(string code) => code switch
    {
        "read" or "vread" or "history-instance" or "history-type" or "history-system" => AuditEvent.AuditEventAction.R,
        "create" => AuditEvent.AuditEventAction.C,
        "update" or "patch" => AuditEvent.AuditEventAction.U,
        "delete" => AuditEvent.AuditEventAction.D,
        _ => AuditEvent.AuditEventAction.E,
    };
}
