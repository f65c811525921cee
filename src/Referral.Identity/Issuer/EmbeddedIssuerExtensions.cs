using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;

namespace Referral.Identity.Issuer;

/// <summary>The embedded OpenID Connect issuer (OpenIddict): discovery, JWKS, token, authorize, revoke, logout.</summary>
public static class EmbeddedIssuerExtensions
{
    public static IServiceCollection AddEmbeddedIssuer(
        this IServiceCollection services, IConfiguration configuration, NodeAuthenticationOptions auth, SigningKeys keys, Uri issuer)
    {
        services.AddOptions<EmbeddedIssuerOptions>().Bind(configuration.GetSection(EmbeddedIssuerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IssuerDirectory>();
        AddStore(services, configuration);

        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(storage.DataDirectory, "keys", "data-protection")));
        services.AddAntiforgery();

        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdentityStoreContext>())
            .AddServer(o =>
            {
                o.SetIssuer(issuer);
                o.SetTokenEndpointUris("connect/token")
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris("connect/logout");
                o.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow();
                o.AddSigningKey(keys.Signing).AddEncryptionKey(keys.Encryption);
                // Plain signed JWTs, so any resource server (and JwtBearer here) can validate them from the JWKS.
                o.DisableAccessTokenEncryption();
                o.SetAccessTokenLifetime(auth.AccessTokenLifetime);
                // SMART scopes are open-ended (user/Patient.rs …): the token and authorize endpoints grant them against each client's list.
                o.DisableScopeValidation();
                o.IgnoreScopePermissions();
                var aspNetCore = o.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (issuer.Scheme == Uri.UriSchemeHttp)
                {
                    // The demo alliance runs on http://127.0.0.1; a node on https keeps OpenIddict's transport check.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });
        return services;
    }

    public static void MapEmbeddedIssuer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/connect/token", TokenEndpoint.ExchangeAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapMethods("/connect/authorize", ["GET", "POST"], AuthorizeEndpoint.AuthorizeAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)AuthorizeEndpoint.EndSessionAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapGet(LoginPage.Path, LoginPage.Show).AllowAnonymous();
        endpoints.MapPost(LoginPage.Path, (Delegate)LoginPage.SubmitAsync).AllowAnonymous().DisableAntiforgery();
    }

    private static void AddStore(IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.Provider == "PostgreSql")
        {
            var connectionString = configuration.GetConnectionString("Fhir");
            services.AddDbContext<IdentityStoreContext, PostgresIdentityStoreContext>(o => o
                .UseNpgsql(connectionString, n => n.MigrationsHistoryTable(IdentityStoreContext.MigrationsHistoryTable))
                .UseOpenIddict());
        }
        else
        {
            Directory.CreateDirectory(storage.DataDirectory);
            // Its own file: token issuance never waits behind the FHIR store's writer.
            var connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(storage.DataDirectory, "identity.db"),
                DefaultTimeout = 30,
            }.ToString();
            services.AddDbContext<IdentityStoreContext, SqliteIdentityStoreContext>(o => o
                .UseSqlite(connectionString, s => s.MigrationsHistoryTable(IdentityStoreContext.MigrationsHistoryTable))
                .UseOpenIddict());
        }
    }
}
