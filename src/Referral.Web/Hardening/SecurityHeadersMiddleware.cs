using Referral.Fhir.Api;

namespace Referral.Web.Hardening;

/// <summary>
/// Headers that stop browsers from sniffing, framing or leaking the API's responses, on every response, and
/// <c>Cache-Control: no-store</c> on FHIR responses because they carry patient data no proxy may keep.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // The API serves data, never pages: nothing may load from or frame it.
    private const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public System.Threading.Tasks.Task InvokeAsync(HttpContext context)
    {
        // Set when the response starts, so responses written by later middleware (429, CORS preflight, errors) get them too.
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (context.Request.Path.StartsWithSegments(FhirUrls.BasePath) && headers.CacheControl.Count == 0)
            {
                headers.CacheControl = "no-store";
            }

            return System.Threading.Tasks.Task.CompletedTask;
        }, context);
        return next(context);
    }
}
