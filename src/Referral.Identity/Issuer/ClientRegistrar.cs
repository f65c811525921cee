using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Referral.Identity.Issuer;

/// <summary>At start: migrates the issuer's tables and makes the registered OAuth clients match the configuration.</summary>
public static class ClientRegistrar
{
    public static async Task InitializeEmbeddedIssuerAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityStoreContext>().Database.MigrateAsync(ct);

        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in scope.ServiceProvider.GetRequiredService<IOptions<EmbeddedIssuerOptions>>().Value.Clients)
        {
            var descriptor = Describe(client);
            if (await manager.FindByClientIdAsync(client.ClientId, ct) is { } existing)
            {
                // Update in place: recreating would drop the client's token entries and revoke every token it holds.
                await manager.UpdateAsync(existing, descriptor, ct);
            }
            else
            {
                await manager.CreateAsync(descriptor, ct);
            }
        }
    }

    private static OpenIddictApplicationDescriptor Describe(IssuerClient client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = string.IsNullOrEmpty(client.ClientSecret) ? ClientTypes.Public : ClientTypes.Confidential,
            DisplayName = client.DisplayName,
        };
        descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation]);
        if (client.IsInteractive)
        {
            descriptor.Permissions.UnionWith([
                Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            ]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u)));
            descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris.Select(u => new Uri(u)));
        }
        else
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        }

        return descriptor;
    }
}
