using System.Globalization;
using System.Threading.RateLimiting;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Referral.Web.Hardening;

/// <summary>
/// A token bucket per client (<see cref="ClientPartition"/>), so one runaway integration cannot starve the other
/// hospitals; refusals are 429 OperationOutcomes with Retry-After. Health checks are never limited.
/// </summary>
public static class ClientRateLimitingExtensions
{
    private const string HealthPath = "/health";

    public static WebApplicationBuilder AddClientRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments(HealthPath)
                    ? RateLimitPartition.GetNoLimiter(HealthPath)
                    : RateLimitPartition.GetTokenBucketLimiter(ClientPartition.Key(context), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        // Refuse at once: a queued request holds a connection and memory while the client waits anyway.
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
        });
        builder.Services.AddRateLimiter(_ => { });
        return builder;
    }

    /// <summary>
    /// Adds the limiter to the pipeline. It reads the caller's identity per request, so it belongs after
    /// authentication (to limit by client rather than by address) and works wherever it is placed.
    /// </summary>
    public static WebApplication UseClientRateLimiting(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Enabled)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        // Retry-After takes whole seconds; rounding down to 0 would invite an immediate retry.
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(OutcomeResponse.WriteAsync(
            context, StatusCodes.Status429TooManyRequests, OperationOutcome.IssueType.Throttled,
            $"Too many requests from this client; retry after {seconds} s."));
    }
}
