using System.Globalization;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Task = System.Threading.Tasks.Task;

namespace Referral.Fhir.Api;

/// <summary>One entry of a searchset or history Bundle, pointing at a stored version.</summary>
public sealed record BundleEntryVersion(ResourceEntity Entity, Bundle.SearchEntryMode? Mode = null, bool WithRequest = false);

/// <summary>
/// A searchset or history Bundle of stored versions. As JSON without filters it is written by splicing each stored
/// resource's JSON into the Bundle, so a search never parses and re-serializes the resources it returns; XML,
/// <c>_summary</c> and <c>_elements</c> go through the Firely POCOs.
/// </summary>
public sealed class BundleResult(Bundle.BundleType type, int? total, IReadOnlyList<(string Relation, string Url)> links, IReadOnlyList<BundleEntryVersion> entries) : IResult
{
    public SerializationFilter? Filter { get; init; }

    /// <summary>Warnings about the request (ignored search parameters), sent as an entry with search mode <c>outcome</c>.</summary>
    public OperationOutcome? Outcome { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var format = FhirRequest.ResponseFormat(httpContext);
        var pretty = FhirRequest.Pretty(httpContext);
        var filter = Filter ?? FhirResult.SummaryFilter(httpContext);
        var baseUrl = FhirUrls.Base(httpContext);
        byte[] body = format == FhirFormat.Json && filter is null && !pretty
            ? WriteRawJson(baseUrl, httpContext.RequestServices.GetRequiredService<FhirSerializer>())
            : httpContext.RequestServices.GetRequiredService<FhirSerializer>().Serialize(ToBundle(httpContext, baseUrl), format, pretty, filter);

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        await FhirResult.WriteBodyAsync(httpContext, body, format);
    }

    public Bundle ToBundle(HttpContext httpContext, string baseUrl)
    {
        var serializer = httpContext.RequestServices.GetRequiredService<FhirSerializer>();
        var bundle = new Bundle
        {
            Id = Guid.NewGuid().ToString("D"),
            Type = type,
            Total = total,
            Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow },
            Link = [.. links.Select(l => new Bundle.LinkComponent { Relation = l.Relation, Url = l.Url })],
        };
        if (Outcome is not null)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = Outcome, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome } });
        }

        foreach (var entry in entries)
        {
            var e = entry.Entity;
            var component = new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/{e.ResourceType}/{e.ResourceId}",
                Resource = e.IsDeleted ? null : serializer.ParseStored(e.Json),
            };
            if (entry.Mode is { } mode)
            {
                component.Search = new Bundle.SearchComponent { Mode = mode };
            }

            if (entry.WithRequest)
            {
                component.Request = new Bundle.RequestComponent { Method = Enum.Parse<Bundle.HTTPVerb>(e.Method), Url = RequestUrl(e) };
                component.Response = new Bundle.ResponseComponent { Status = ResponseStatus(e), Etag = ETag(e), LastModified = e.LastUpdated };
            }

            bundle.Entry.Add(component);
        }

        return bundle;
    }

    private byte[] WriteRawJson(string baseUrl, FhirSerializer serializer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = FhirSerializer.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("resourceType", "Bundle");
            writer.WriteString("id", Guid.NewGuid().ToString("D"));
            writer.WriteStartObject("meta");
            writer.WriteString("lastUpdated", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteString("type", type == Bundle.BundleType.Searchset ? "searchset" : "history");
            if (total is { } t)
            {
                writer.WriteNumber("total", t);
            }

            writer.WriteStartArray("link");
            foreach (var (relation, url) in links)
            {
                writer.WriteStartObject();
                writer.WriteString("relation", relation);
                writer.WriteString("url", url);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (entries.Count > 0 || Outcome is not null)
            {
                writer.WriteStartArray("entry");
                if (Outcome is not null)
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("resource");
                    writer.WriteRawValue(serializer.SerializeForStorage(Outcome), skipInputValidation: true);
                    writer.WriteStartObject("search");
                    writer.WriteString("mode", "outcome");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                foreach (var entry in entries)
                {
                    WriteEntry(writer, baseUrl, entry);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteEntry(Utf8JsonWriter writer, string baseUrl, BundleEntryVersion entry)
    {
        var e = entry.Entity;
        writer.WriteStartObject();
        writer.WriteString("fullUrl", $"{baseUrl}/{e.ResourceType}/{e.ResourceId}");
        if (!e.IsDeleted)
        {
            writer.WritePropertyName("resource");
            writer.WriteRawValue(e.Json, skipInputValidation: true);
        }

        if (entry.Mode is { } mode)
        {
            writer.WriteStartObject("search");
            writer.WriteString("mode", mode == Bundle.SearchEntryMode.Match ? "match" : mode == Bundle.SearchEntryMode.Include ? "include" : "outcome");
            writer.WriteEndObject();
        }

        if (entry.WithRequest)
        {
            writer.WriteStartObject("request");
            writer.WriteString("method", e.Method);
            writer.WriteString("url", RequestUrl(e));
            writer.WriteEndObject();
            writer.WriteStartObject("response");
            writer.WriteString("status", ResponseStatus(e));
            writer.WriteString("etag", ETag(e));
            writer.WriteString("lastModified", e.LastUpdated.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    // A history entry's request and response, as the interaction that made the version would have had them.
    private static string RequestUrl(ResourceEntity e) => e.Method == "POST" ? e.ResourceType : $"{e.ResourceType}/{e.ResourceId}";

    private static string ResponseStatus(ResourceEntity e) => e.IsDeleted ? "204" : e.VersionId == 1 ? "201" : "200";

    private static string ETag(ResourceEntity e) => FhirResult.WeakETag(e.VersionId);
}
