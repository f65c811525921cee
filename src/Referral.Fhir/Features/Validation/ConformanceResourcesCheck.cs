using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Referral.Fhir.Features.Validation;

/// <summary>Loads the conformance resources when the host starts, so a broken file stops the start instead of the first write.</summary>
public sealed class ConformanceResourcesCheck(IServiceProvider services, ILogger<ConformanceResourcesCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var resources = services.GetRequiredService<ConformanceResources>();
        logger.LogInformation("Loaded {Count} StructureDefinitions from {Folder}", resources.StructureDefinitions.Count, resources.Folder ?? "(none)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
