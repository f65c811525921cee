using Referral.Fhir;
using Referral.Identity;
using Referral.Persistence;
using Referral.Web.DemoData;
using Referral.Web.Hardening;
using Referral.Workflow;
using Referral.Workflow.Worklists;

namespace Referral.Web;

/// <summary>
/// Builds a whole node, ready to run: services, database migrations, issuer clients, demo data, middleware and
/// endpoints. Program.cs runs one; the CLI's demo runs two in one process, each with its own settings.
/// </summary>
public static class NodeApplication
{
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="settings">Settings layered over every other configuration source; null for none.</param>
    /// <param name="contentRoot">
    /// The content root, where <c>appsettings.json</c> is looked for; null keeps the default (the working directory).
    /// A node configured entirely by <paramref name="settings"/> passes a folder without one, so nothing merges in.
    /// </param>
    /// <param name="ct">Cancels migrating and seeding.</param>
    public static async Task<WebApplication> CreateAsync(
        string[] args, IReadOnlyDictionary<string, string?>? settings = null, string? contentRoot = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddNodeDefaults();
        builder.AddRequestHardening();
        builder.AddClientRateLimiting();
        builder.Services.AddFhirServer(builder.Configuration);
        builder.AddNodeIdentity();
        builder.AddReferralWorkflow();
        builder.AddWorklists();

        var app = builder.Build();
        app.LogAlliancePartners();
        await app.Services.MigrateFhirDatabaseAsync(ct);
        await app.InitializeNodeIdentityAsync();
        await app.SeedDemoDataAsync(ct);
        app.UseExceptionHandler();
        app.UseRequestHardening();
        app.UseNodeAuthentication();
        // After authentication, so a client is limited by its identity; before authorization, so floods without a token are limited too.
        app.UseClientRateLimiting();
        app.UseNodeAuthorization();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapNodeIdentity();
        app.MapFhirApi().MapReferralDocuments().MapNodeAuditTrail(app);
        app.MapWorklists();
        return app;
    }
}
