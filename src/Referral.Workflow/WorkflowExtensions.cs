using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Transactions;
using Referral.Workflow.Documents;
using Referral.Workflow.FollowUp;
using Referral.Workflow.Inbox;
using Referral.Workflow.Outbox;
using Referral.Workflow.Referrals;
using Referral.Workflow.Scheduling;
using Referral.Workflow.ServiceLevels;

namespace Referral.Workflow;

/// <summary>The two-way referral workflow: state machine, cancellation requests, slot booking and its release, follow-up planning, transactional outbox and dispatcher, idempotent inbox.</summary>
public static class WorkflowExtensions
{
    public static WebApplicationBuilder AddReferralWorkflow(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AllianceOptions>().Bind(builder.Configuration.GetSection(AllianceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AllianceOptions>, AllianceOptionsValidator>();
        services.AddOptions<ServiceLevelOptions>().Bind(builder.Configuration.GetSection(ServiceLevelOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceLevelOptions>, ServiceLevelOptionsValidator>();
        services.AddSingleton<AnswerDeadline>();
        services.AddScoped<IWriteRule, AnswerDeadlineRule>();
        services.AddScoped<IWriteRule, ReferralTransitionRule>();
        services.AddScoped<IWriteRule, CancellationRequestRule>();
        services.AddScoped<IWriteRule, SlotBookingRule>();
        services.AddScoped<IWriteRule, ReferralOutboxRule>();
        services.AddScoped<IWriteRule, DownwardReferralRule>();
        services.AddScoped<IWriteRule, BookingReleaseRule>();
        services.AddScoped<BookingRelease>();
        services.AddScoped<FollowUpPlanning>();
        services.AddScoped<ReferralConsequences>();
        services.AddScoped<IUpdateHandler, ReferralStepUpdate>();
        services.AddScoped<IBundleHandler, ReferralStepTransaction>();
        services.AddScoped<InboundReferral>();
        services.AddScoped<LoopClosure>();
        services.AddScoped<PackageBuilder>();
        services.AddScoped<PatientMatcher>();
        services.AddScoped<IBundleHandler, PackageInbox>();
        services.AddScoped<MatchResolutionInProgress>();
        services.AddScoped<IUpdateHandler, PatientMatchResolution>();
        services.AddScoped<IWriteRule, PatientMatchTaskRule>();
        services.AddHttpClient(PartnerClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<PartnerClient>();
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<OutboxWakeUp>();
        services.AddHostedService<OutboxDispatcher>();
        services.AddOptions<DocumentOptions>().Bind(builder.Configuration.GetSection(DocumentOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DocumentOptions>, DocumentOptionsValidator>();
        services.AddSingleton<DocumentFonts>();
        services.AddSingleton<Referral.Fhir.Api.ICapabilityContributor, DocumentCapabilities>();
        services.AddHostedService<DocumentFontsCheck>();
        services.AddSingleton<CodeDisplays>();
        services.AddScoped<DocumentSources>();
        return builder;
    }

    /// <summary>The rendered-document operations: <c>ServiceRequest/[id]/$referral-letter</c>, <c>Composition/[id]/$render-pdf</c>.</summary>
    public static RouteGroupBuilder MapReferralDocuments(this RouteGroupBuilder fhir)
    {
        fhir.MapReferralLetter();
        fhir.MapRenderComposition();
        return fhir;
    }

    /// <summary>Logs the configured partners once at start (never their secrets).</summary>
    public static WebApplication LogAlliancePartners(this WebApplication app)
    {
        foreach (var partner in app.Services.GetRequiredService<IOptions<AllianceOptions>>().Value.Partners)
        {
            app.Logger.LogInformation("Alliance partner {Organization} at {FhirBase} (client {ClientId})", partner.Organization, partner.FhirBase, partner.ClientId);
        }

        return app;
    }
}
