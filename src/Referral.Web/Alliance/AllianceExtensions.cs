using Microsoft.Extensions.Options;
using Referral.Identity;

namespace Referral.Web.Alliance;

/// <summary>Binds and validates <see cref="AllianceOptions"/>, and logs the configured partners at start (without secrets).</summary>
public static class AllianceExtensions
{
    public static WebApplicationBuilder AddAlliancePartners(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AllianceOptions>().Bind(builder.Configuration.GetSection(AllianceOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AllianceOptions>, AllianceOptionsValidator>();
        return builder;
    }

    public static void LogAlliancePartners(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AllianceOptions).Namespace!);
        var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value.Organization;
        foreach (var partner in app.Services.GetRequiredService<IOptions<AllianceOptions>>().Value.Partners)
        {
            logger.LogInformation(
                "{Node} partners with {Organization} ({Name}): FHIR {FhirBase}, token endpoint {TokenEndpoint}, client {ClientId}",
                node, partner.Organization, partner.Name, partner.FhirBase, partner.TokenEndpoint, partner.ClientId);
        }
    }
}
