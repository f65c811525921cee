using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Task = System.Threading.Tasks.Task;

namespace Referral.Fhir.Api;

/// <summary>
/// A FHIR response: a resource serialized in the negotiated format (honouring <c>_pretty</c>, <c>_summary</c>,
/// <c>_elements</c>) with the version headers of the stored entity it came from.
/// </summary>
public sealed class FhirResult(int status, Resource? resource, ResourceEntity? entity = null, string? location = null) : IResult
{
    /// <summary>The stored JSON, used as-is when no conversion is needed (the common read), to skip a parse/serialize round trip.</summary>
    public string? RawJson { get; init; }

    /// <summary>Summary or element filter for the body; null for the whole resource.</summary>
    public SerializationFilter? Filter { get; init; }

    public static FhirResult Outcome(int status, OperationOutcome outcome) => new(status, outcome);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        if (entity is not null)
        {
            response.Headers.ETag = WeakETag(entity.VersionId);
            response.Headers.LastModified = entity.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
        }

        if (location is not null)
        {
            response.Headers.Location = location;
            response.Headers.ContentLocation = location;
        }

        if (resource is null && RawJson is null)
        {
            return;
        }

        var format = FhirRequest.ResponseFormat(httpContext);
        var pretty = FhirRequest.Pretty(httpContext);
        // An OperationOutcome is never trimmed: an error must keep its issues whatever _summary the request asked for.
        var filter = resource is OperationOutcome ? null : Filter ?? SummaryFilter(httpContext);
        byte[] body;
        if (RawJson is not null && format == FhirFormat.Json && !pretty && filter is null)
        {
            body = System.Text.Encoding.UTF8.GetBytes(RawJson);
        }
        else
        {
            var serializer = httpContext.RequestServices.GetRequiredService<FhirSerializer>();
            var value = resource ?? serializer.ParseStored(RawJson!);
            body = serializer.Serialize(value, format, pretty, filter);
        }

        await WriteBodyAsync(httpContext, body, format);
    }

    /// <summary>The weak ETag FHIR uses for a version: <c>W/"3"</c>.</summary>
    public static string WeakETag(int versionId) => $"W/\"{versionId.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Writes a serialized FHIR body with its content type and length.</summary>
    public static async Task WriteBodyAsync(HttpContext httpContext, byte[] body, FhirFormat format)
    {
        var response = httpContext.Response;
        response.ContentType = format == FhirFormat.Xml ? "application/fhir+xml; charset=utf-8" : "application/fhir+json; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    /// <summary>The filter asked for by <c>_summary</c> / <c>_elements</c> on the request, if any.</summary>
    public static SerializationFilter? SummaryFilter(HttpContext context) =>
        SummaryFilter(context.Request.Query["_summary"].ToString(), context.Request.Query["_elements"].ToString());

    public static SerializationFilter? SummaryFilter(string? summary, string? elements)
    {
        if (!string.IsNullOrEmpty(elements))
        {
            return SerializationFilter.ForElements(elements.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), true);
        }

        return summary switch
        {
            "true" => SerializationFilter.ForSummary(),
            "text" => SerializationFilter.ForText(),
            "data" => SerializationFilter.ForData(),
            "count" => SerializationFilter.ForCount(),
            _ => null,
        };
    }
}
