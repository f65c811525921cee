using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Identity.Access;
using StackExchange.Redis;

namespace Referral.Workflow.Worklists;

/// <summary>Live worklists over SignalR: <c>AddWorklists</c> for the services, <c>MapWorklists</c> for the hub at <see cref="WorklistHub.Path"/>.</summary>
public static class WorklistExtensions
{
    public static WebApplicationBuilder AddWorklists(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var signalR = services.AddSignalR();
        var options = builder.Configuration.GetSection(SignalROptions.Section).Get<SignalROptions>() ?? new SignalROptions();
        if (!string.IsNullOrWhiteSpace(options.Redis))
        {
            // Every hub of the node (not only this one) then shares connections and groups through Redis.
            var node = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
            var redis = RedisConfiguration(options.Redis, node);
            signalR.AddStackExchangeRedis(o => o.Configuration = redis);
        }

        services.AddSingleton<WorklistNotifier>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<WorklistNotifier>());
        services.AddHostedService<WorklistBroadcaster>();
        services.AddAuthorizationBuilder().AddPolicy(WorklistHub.Policy, policy => policy
            .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.Resource is HttpContext http
                && WorklistGroups.MayWatch(FhirCaller.From(context.User, http.RequestServices.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value))));
        return builder;
    }

    public static WebApplication MapWorklists(this WebApplication app)
    {
        if (!string.IsNullOrWhiteSpace(app.Configuration.GetSection(SignalROptions.Section).Get<SignalROptions>()?.Redis))
        {
            app.Logger.LogInformation("SignalR hubs scale out through the Redis backplane (SignalR:Redis)");
        }

        // A connection lives no longer than its token: it is closed when the token expires, and the client reconnects with a new one.
        var hub = app.MapHub<WorklistHub>(WorklistHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        if (app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled)
        {
            hub.RequireAuthorization(WorklistHub.Policy);
        }

        return app;
    }

    /// <summary>
    /// The backplane's settings: retried in the background while Redis is unreachable (a node starts without it), and
    /// channels prefixed with the node's organisation, so two hospitals' nodes sharing one Redis never see each other's groups.
    /// </summary>
    private static ConfigurationOptions RedisConfiguration(string configuration, NodeOptions node)
    {
        ConfigurationOptions redis;
        try
        {
            redis = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException)
        {
            throw new OptionsValidationException(
                SignalROptions.Section, typeof(SignalROptions), ["SignalR:Redis is not a valid StackExchange.Redis configuration string (its text is not shown: it may hold a password)."]);
        }

        redis.AbortOnConnectFail = false;
        redis.ChannelPrefix = RedisChannel.Literal($"referral:{node.Organization}:");
        return redis;
    }
}
