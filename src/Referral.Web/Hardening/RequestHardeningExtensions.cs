using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Referral.Web.Hardening;

/// <summary>
/// Wires the response hardening: security headers, CORS for the configured app origins, OperationOutcomes for
/// bare FHIR errors, and no Server header. Rate limiting is separate (<see cref="ClientRateLimitingExtensions"/>)
/// because it must come after authentication.
/// </summary>
public static class RequestHardeningExtensions
{
    public static WebApplicationBuilder AddRequestHardening(this WebApplicationBuilder builder)
    {
        // The Server header only tells an attacker which stack to aim at.
        builder.Services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        builder.Services.AddAppOriginCors(builder.Configuration);
        return builder;
    }

    /// <summary>Place early (right after the exception handler), so every later response, refusals included, is covered.</summary>
    public static WebApplication UseRequestHardening(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseCors();
        app.UseMiddleware<EmptyErrorOutcomeMiddleware>();
        return app;
    }
}
