using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Identity.Access;

namespace Referral.Workflow.Worklists;

/// <summary>Live worklists over SignalR: <c>AddWorklists</c> for the services, <c>MapWorklists</c> for the hub at <see cref="WorklistHub.Path"/>.</summary>
public static class WorklistExtensions
{
    public static WebApplicationBuilder AddWorklists(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSignalR();
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
        var hub = app.MapHub<WorklistHub>(WorklistHub.Path);
        if (app.Services.GetRequiredService<IOptions<NodeAuthenticationOptions>>().Value.Enabled)
        {
            hub.RequireAuthorization(WorklistHub.Policy);
        }

        return app;
    }
}
