using Microsoft.AspNetCore.Server.Kestrel.Core;
using Referral.Fhir;
using Referral.Web.DemoData;

namespace Referral.Web;

/// <summary>Host settings every node shares: request limits from <see cref="FhirOptions"/>, health checks.</summary>
public static class NodeHostExtensions
{
    public static WebApplicationBuilder AddNodeDefaults(this WebApplicationBuilder builder)
    {
        var fhir = builder.Configuration.GetSection(FhirOptions.Section).Get<FhirOptions>() ?? new FhirOptions();
        // Kestrel refuses oversize bodies before they are buffered; the FHIR reader enforces the same limit with an OperationOutcome.
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = fhir.MaxBodyBytes + 1);
        builder.Services.AddHealthChecks();
        builder.Services.AddOptions<DemoDataOptions>().Bind(builder.Configuration.GetSection(DemoDataOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
