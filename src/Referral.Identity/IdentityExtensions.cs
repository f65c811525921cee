using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Access;
using Referral.Identity.Access;
using Referral.Identity.Audit;
using Referral.Identity.Issuer;
using Referral.Identity.Tokens;
using Referral.Persistence;

namespace Referral.Identity;

/// <summary>
/// Identity, access control and audit for a node: <c>AddNodeIdentity</c> for services, <c>UseNodeAuthentication</c> and
/// <c>UseNodeAuthorization</c> for the middleware and <c>MapNodeIdentity</c> for the issuer and SMART endpoints.
/// </summary>
public static class IdentityExtensions
{
    public static WebApplicationBuilder AddNodeIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NodeAuthenticationOptions>().Bind(configuration.GetSection(NodeAuthenticationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var auth = configuration.GetSection(NodeAuthenticationOptions.Section).Get<NodeAuthenticationOptions>() ?? new NodeAuthenticationOptions();
        // Who a write is for is asked by the workflow even with authentication off (then: nobody, the node itself).
        services.AddHttpContextAccessor();
        services.AddScoped<CallerContext>();
        if (!auth.Enabled)
        {
            return builder;
        }

        services.AddMemoryCache();
        services.AddSingleton<RevocationCheck>();
        // Resolved per use (not per scope), so node work begun inside a request is unrestricted from then on.
        services.Replace(ServiceDescriptor.Scoped<IFhirAccessPolicy>(sp =>
            new CallerAccessPolicy(sp.GetRequiredService<CallerContext>(), sp.GetRequiredService<IOptions<NodeOptions>>().Value)));
        services.Replace(ServiceDescriptor.Scoped<IWriteAttribution, PartnerProvenance>());
        services.AddScoped<IWriteRule, SharingConsentRule>();

        SigningKeys? keys = null;
        Uri? issuer = null;
        if (auth.UsesEmbeddedIssuer)
        {
            var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
            keys = SigningKeys.LoadOrCreate(storage.DataDirectory);
            issuer = EmbeddedIssuerUri(auth.Issuer ?? configuration["urls"]);
            services.AddSingleton(new EmbeddedIssuer(issuer));
            services.AddEmbeddedIssuer(configuration, auth, keys, issuer);
        }

        services.AddSingleton<Referral.Fhir.Api.ICapabilityContributor>(new SmartCapabilities(issuer));
        services.AddSingleton(sp => new ValidatedTokenCache(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, FhirRequestSchemeProvider>());
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<ValidatedTokenCache>((o, tokens) => BearerTokenSetup.Configure(o, auth, keys, issuer, tokens));
        if (auth.UsesEmbeddedIssuer)
        {
            authentication.AddCookie(LoginPage.Scheme, o =>
            {
                o.LoginPath = LoginPage.Path;
                o.Cookie.Name = ".referral.login";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
            });
        }

        // Everything needs a valid bearer token unless it is marked anonymous (metadata, discovery, health, sign-in).
        services.AddAuthorizationBuilder().SetFallbackPolicy(
            new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());

        services.AddAuditTrail(configuration);
        return builder;
    }

    /// <summary>Audit (outermost, so refusals are audited too) and bearer-token authentication.</summary>
    public static WebApplication UseNodeAuthentication(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value;
        if (!auth.Enabled)
        {
            app.Logger.LogWarning("Authentication:Enabled is false: every caller can read and change every resource, and nothing is audited");
            return app;
        }

        if (app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Enabled)
        {
            app.UseMiddleware<AuditMiddleware>();
        }

        app.UseAuthentication();
        return app;
    }

    /// <summary>Refuses requests without a valid token on every endpoint not marked anonymous.</summary>
    public static WebApplication UseNodeAuthorization(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled)
        {
            app.UseAuthorization();
        }

        return app;
    }

    /// <summary>
    /// Migrates the audit trail, and the embedded issuer's tables and registers its clients (nothing to do with an
    /// external authority).
    /// </summary>
    public static async Task InitializeNodeIdentityAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled)
        {
            await app.Services.MigrateAuditTrailAsync();
        }

        if (app.Services.GetService<EmbeddedIssuer>() is not null)
        {
            await app.Services.InitializeEmbeddedIssuerAsync();
        }
    }

    /// <summary>Serves the AuditEvent type from the audit trail on a node with authentication (there is no trail without).</summary>
    public static RouteGroupBuilder MapNodeAuditTrail(this RouteGroupBuilder fhir, WebApplication app) =>
        app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled ? fhir.MapAuditTrail() : fhir;

    public static WebApplication MapNodeIdentity(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled)
        {
            return app;
        }

        var embedded = app.Services.GetService<EmbeddedIssuer>();
        if (embedded is not null)
        {
            app.MapEmbeddedIssuer();
        }

        app.MapSmartConfiguration(embedded?.Uri);
        return app;
    }

    /// <summary>The configured issuer URL, else the node's first listening URL (with a wildcard host read as localhost).</summary>
    private static Uri EmbeddedIssuerUri(string? configured)
    {
        var url = configured?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? "http://localhost:5000";
        url = url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal);
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    /// <summary>Marks that this node runs the embedded issuer, at <see cref="Uri"/>.</summary>
    private sealed record EmbeddedIssuer(Uri Uri);
}
