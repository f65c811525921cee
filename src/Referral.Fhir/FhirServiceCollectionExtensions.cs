using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Operations;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Features.Validation;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Fhir;

/// <summary>Wires the FHIR store and R4 REST API into a host: <c>AddFhirServer</c> for services, <c>MapFhirApi</c> for routes.</summary>
public static class FhirServiceCollectionExtensions
{
    public static IServiceCollection AddFhirServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FhirOptions>().Bind(configuration.GetSection(FhirOptions.Section))
            .PostConfigure(options =>
            {
                // Unset: the copy of the repository's fhir-profiles that the build puts next to the node.
                var copy = Path.Combine(AppContext.BaseDirectory, "fhir-profiles");
                if (string.IsNullOrWhiteSpace(options.ProfilesDirectory) && Directory.Exists(copy))
                {
                    options.ProfilesDirectory = copy;
                }
            })
            .Validate(options => string.IsNullOrWhiteSpace(options.ProfilesDirectory) || Directory.Exists(options.ProfilesDirectory),
                "Fhir:ProfilesDirectory names a folder that does not exist.")
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddFhirPersistence(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new FhirSerializer(sp.GetRequiredService<IOptions<FhirOptions>>().Value.MaxJsonDepth));
        services.AddSingleton(sp => new SearchParameterRegistry(
            SearchParameterRegistry.LoadCustom(sp.GetRequiredService<IOptions<FhirOptions>>().Value.ProfilesDirectory)));
        services.AddSingleton(sp => ConformanceResources.Load(sp.GetRequiredService<IOptions<FhirOptions>>().Value.ProfilesDirectory));
        services.AddSingleton<ProfileValidator>();
        services.AddHostedService<ConformanceResourcesCheck>();
        services.AddSingleton<SearchIndexer>();
        services.AddSingleton<ServedCapabilities>();
        services.AddSingleton(sp => new SearchService(
            sp.GetRequiredService<SearchParameterRegistry>(), sp.GetRequiredService<IOptions<FhirOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        // A host with identity replaces this with the caller's policy; without one every caller is unrestricted.
        services.TryAddScoped<IFhirAccessPolicy>(_ => UnrestrictedAccessPolicy.Instance);
        services.TryAddScoped<IWriteAttribution, NoWriteAttribution>();
        services.AddScoped<ResourceStore>();
        services.AddScoped<WriteUnit>();
        services.AddScoped<BundleReads>();
        services.AddScoped<BundleProcessor>();
        services.AddExceptionHandler<FhirExceptionHandler>();
        services.AddProblemDetails();
        return services;
    }

    /// <summary>Maps every FHIR interaction under <c>/fhir</c>.</summary>
    public static RouteGroupBuilder MapFhirApi(this IEndpointRouteBuilder endpoints)
    {
        var fhir = endpoints.MapGroup(FhirUrls.BasePath);
        fhir.MapCapabilities();
        fhir.MapBundles();
        fhir.MapHistory();
        fhir.MapPatientEverything();
        fhir.MapValidate();
        fhir.MapSearch();
        fhir.MapCrud();
        return fhir;
    }
}
