using Microsoft.AspNetCore.Http;

namespace Referral.Fhir.Api;

/// <summary>Absolute URLs of the FHIR base and of resources, as clients see them.</summary>
public static class FhirUrls
{
    public const string BasePath = "/fhir";

    public static string Base(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{BasePath}";

    /// <summary>The absolute URL of the request's path, without its query: the base of a history Bundle's links.</summary>
    public static string Request(HttpContext context) => $"{Base(context)}{context.Request.Path.Value![BasePath.Length..]}";

    public static string Resource(HttpContext context, string type, string id) => $"{Base(context)}/{type}/{id}";

    public static string Version(HttpContext context, string type, string id, int version) =>
        $"{Base(context)}/{type}/{id}/_history/{version}";
}
