using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Referral.Fhir.Errors;
using Referral.Fhir.Serialization;

namespace Referral.Fhir.Api;

/// <summary>What a FHIR request asks for beyond its route: response format, Prefer, preconditions, and its body as a resource.</summary>
public static class FhirRequest
{
    private static readonly string[] JsonTypes = ["application/fhir+json", "application/json", "application/json+fhir", "text/json"];
    private static readonly string[] XmlTypes = ["application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml"];

    /// <summary>The response format: <c>_format</c> wins over Accept; JSON when neither names XML.</summary>
    public static FhirFormat ResponseFormat(HttpContext context)
    {
        var format = context.Request.Query["_format"].ToString();
        if (!string.IsNullOrEmpty(format))
        {
            return format is "xml" || XmlTypes.Any(t => format.StartsWith(t, StringComparison.OrdinalIgnoreCase)) ? FhirFormat.Xml : FhirFormat.Json;
        }

        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Length == 0)
        {
            return FhirFormat.Json;
        }

        var firstJson = JsonTypes.Select(t => accept.IndexOf(t, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(int.MaxValue).Min();
        var firstXml = XmlTypes.Select(t => accept.IndexOf(t, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(int.MaxValue).Min();
        return firstXml < firstJson ? FhirFormat.Xml : FhirFormat.Json;
    }

    public static bool Pretty(HttpContext context) =>
        string.Equals(context.Request.Query["_pretty"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>return</c> preference: minimal, representation (default) or OperationOutcome.</summary>
    public static string PreferReturn(HttpContext context) => PreferValue(context, "return") ?? "representation";

    /// <summary>True under <c>Prefer: handling=strict</c>: unknown search parameters are then an error.</summary>
    public static bool StrictHandling(HttpContext context) => PreferValue(context, "handling") == "strict";

    /// <summary>The version number in an <c>If-Match: W/"3"</c> header, or null when absent.</summary>
    public static int? IfMatchVersion(HttpContext context) => ParseETag(context.Request.Headers.IfMatch, "If-Match");

    public static int? ParseETag(StringValues header, string name)
    {
        var value = header.ToString().Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new BadRequestException($"{name} must be an ETag such as W/\"3\"; got '{header}'.", name);
    }

    /// <summary>The body format from Content-Type; a missing type is sniffed, an unsupported one is refused with 415.</summary>
    public static FhirFormat BodyFormat(HttpRequest request, byte[] body)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            var first = body.FirstOrDefault(b => b is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'));
            return first == (byte)'<' ? FhirFormat.Xml : FhirFormat.Json;
        }

        if (JsonTypes.Any(t => contentType.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            return FhirFormat.Json;
        }

        if (XmlTypes.Any(t => contentType.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            return FhirFormat.Xml;
        }

        throw new UnsupportedMediaTypeException($"Content-Type '{contentType}' is not supported; send application/fhir+json or application/fhir+xml.");
    }

    /// <summary>Reads the whole body, refusing more than <paramref name="maxBytes"/> with 413.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new PayloadTooLargeException($"The body is {request.ContentLength} bytes; the limit is {maxBytes}.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new PayloadTooLargeException($"The body is over the limit of {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new InvalidResourceException("The request body is empty; a FHIR resource was expected.");
        }

        return buffer.ToArray();
    }

    /// <summary>The query string as ordered pairs, without the parameters that only shape the response format.</summary>
    public static List<KeyValuePair<string, string>> SearchParameters(IEnumerable<KeyValuePair<string, StringValues>> query) =>
        [.. query
            .Where(p => p.Key is not ("_format" or "_pretty"))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")))];

    /// <summary>Search criteria written as a query string (<c>If-None-Exist</c>, conditional URLs and references), as ordered pairs.</summary>
    public static List<KeyValuePair<string, string>> ParseCriteria(string query) =>
        [.. QueryHelpers.ParseQuery(query.TrimStart('?')).SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")))];

    private static string? PreferValue(HttpContext context, string key)
    {
        foreach (var header in context.Request.Headers["Prefer"])
        {
            foreach (var part in (header ?? "").Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (pair.Length == 2 && pair[0].Equals(key, StringComparison.OrdinalIgnoreCase))
                {
                    return pair[1].Trim('"');
                }
            }
        }

        return null;
    }
}
