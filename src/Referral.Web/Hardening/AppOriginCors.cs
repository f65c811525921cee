using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Referral.Web.Hardening;

/// <summary>The CORS policy: only the configured app origins, with the methods and headers a FHIR client uses.</summary>
public static class AppOriginCors
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    private static readonly string[] RequestHeaders =
    [
        HeaderNames.Authorization, HeaderNames.ContentType, HeaderNames.Accept,
        HeaderNames.IfMatch, HeaderNames.IfNoneMatch, "If-None-Exist", "Prefer",
    ];

    // Retry-After too: a browser app cannot otherwise read how long to back off after a 429.
    private static readonly string[] ExposedHeaders =
    [
        HeaderNames.ETag, HeaderNames.Location, HeaderNames.LastModified, HeaderNames.ContentLocation, HeaderNames.RetryAfter,
    ];

    public static IServiceCollection AddAppOriginCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CorsOriginsOptions>()
            .Bind(configuration.GetSection(CorsOriginsOptions.Section))
            .Validate(o => o.AllowedOrigins.All(CorsOriginsOptions.IsValidOrigin),
                "Cors:AllowedOrigins must hold origins such as https://app.example.org (scheme, host, optional port; no path, no '*').")
            .ValidateOnStart();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsOriginsOptions>>((cors, origins) =>
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins.Value.AllowedOrigins)
                .WithMethods(Methods)
                .WithHeaders(RequestHeaders)
                .WithExposedHeaders(ExposedHeaders)
                // Bearer tokens travel in Authorization, which CORS allows as a header; cookies are never needed.
                .DisallowCredentials()
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }
}
