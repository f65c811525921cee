using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.Validation;

namespace Referral.Fhir.Api;

/// <summary><c>GET [base]/metadata</c>: the CapabilityStatement, generated from the types and search parameters the node really serves.</summary>
public static class CapabilityEndpoint
{
    public static void MapCapabilities(this IEndpointRouteBuilder fhir) =>
        fhir.MapGet("/metadata", (HttpContext context, ServedCapabilities served) =>
            new FhirResult(StatusCodes.Status200OK, Statement(served.Rest, FhirUrls.Base(context))))
            .AllowAnonymous();

    /// <summary>The statement around the (cached) REST part: only the base URL differs from request to request.</summary>
    public static CapabilityStatement Statement(CapabilityStatement.RestComponent rest, string baseUrl) => new()
    {
        Status = PublicationStatus.Active,
        Date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "Referral alliance FHIR node", Version = typeof(CapabilityEndpoint).Assembly.GetName().Version?.ToString() },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "Medical-alliance referral node", Url = baseUrl },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = ["application/fhir+json", "application/fhir+xml"],
        Rest = [rest],
    };

    /// <summary>What the node serves per resource type: interactions, search parameters, includes and operations.</summary>
    public static CapabilityStatement.RestComponent BuildRest(SearchParameterRegistry registry, ConformanceResources? profiles = null)
    {
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Interaction =
            [
                new() { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                new() { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
                new() { Code = CapabilityStatement.SystemRestfulInteraction.HistorySystem },
                new() { Code = CapabilityStatement.SystemRestfulInteraction.SearchSystem },
            ],
            SearchParam =
            [
                new() { Name = "_type", Type = SearchParamType.Token, Documentation = "Limits a system-level search to the listed types; their own parameters, chains and _has then apply." },
            ],
        };

        foreach (var type in SearchParameterRegistry.ResourceTypes)
        {
            var component = new CapabilityStatement.ResourceComponent
            {
                Type = type,
                Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
                ReadHistory = true,
                UpdateCreate = true,
                ConditionalCreate = true,
                ConditionalRead = CapabilityStatement.ConditionalReadStatus.NotSupported,
                ConditionalUpdate = true,
                ConditionalDelete = CapabilityStatement.ConditionalDeleteStatus.Single,
                Interaction =
                [
                    .. new[]
                    {
                        CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.Vread,
                        CapabilityStatement.TypeRestfulInteraction.Create, CapabilityStatement.TypeRestfulInteraction.Update,
                        CapabilityStatement.TypeRestfulInteraction.Patch, CapabilityStatement.TypeRestfulInteraction.Delete,
                        CapabilityStatement.TypeRestfulInteraction.HistoryInstance, CapabilityStatement.TypeRestfulInteraction.HistoryType,
                        CapabilityStatement.TypeRestfulInteraction.SearchType,
                    }.Select(code => new CapabilityStatement.ResourceInteractionComponent { Code = code }),
                ],
                SearchParam =
                [
                    new() { Name = "_id", Type = SearchParamType.Token, Definition = "http://hl7.org/fhir/SearchParameter/Resource-id" },
                    new() { Name = "_lastUpdated", Type = SearchParamType.Date, Definition = "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated" },
                    .. registry.ForType(type).Where(p => p.Expression is not null).OrderBy(p => p.Code, StringComparer.Ordinal)
                        .Select(p => new CapabilityStatement.SearchParamComponent { Name = p.Code, Type = p.Type, Definition = p.Url, Documentation = Documentation(p) }),
                ],
                SearchInclude = [.. registry.ForType(type).Where(p => p.Type == SearchParamType.Reference).Select(p => $"{type}:{p.Code}").Order(StringComparer.Ordinal)],
                SearchRevInclude = ["*"],
            };
            component.Operation.Add(new CapabilityStatement.OperationComponent { Name = "validate", Definition = "http://hl7.org/fhir/OperationDefinition/Resource-validate" });
            component.SupportedProfile = [.. (profiles?.StructureDefinitions ?? []).Where(p => p.Type == type).Select(p => p.Url).Order(StringComparer.Ordinal)];
            if (type == "Patient")
            {
                component.Operation.Add(new CapabilityStatement.OperationComponent { Name = "everything", Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything" });
            }

            rest.Resource.Add(component);
        }

        return rest;
    }

    // R4 has no element for modifiers, so the served ones are spelled out where clients read about the parameter.
    private static Markdown? Documentation(SearchParameterInfo parameter)
    {
        if (parameter.Type == SearchParamType.Composite)
        {
            var parts = string.Join("$", parameter.Components.Select(c => $"[{c.Type.ToString().ToLowerInvariant()}]"));
            return new Markdown($"Composite: {parts}; all parts must match within one `{parameter.Expression}` instance.");
        }

        var modifiers = FilterCompiler.ModifiersOf(parameter.Type);
        return modifiers.Count == 0 ? null : new Markdown("Modifiers: " + string.Join(", ", modifiers.Select(m => ":" + m)));
    }
}

/// <summary>
/// The REST part of the CapabilityStatement, built once from the registry at first use: it lists ~150 types with
/// all their parameters, too much to rebuild on every <c>metadata</c> call. Serialization only reads it, so requests share it.
/// </summary>
public sealed class ServedCapabilities(SearchParameterRegistry registry, ConformanceResources profiles, IEnumerable<ICapabilityContributor> contributors)
{
    private readonly Lazy<CapabilityStatement.RestComponent> _rest = new(() =>
    {
        var rest = CapabilityEndpoint.BuildRest(registry, profiles);
        foreach (var contributor in contributors)
        {
            contributor.Contribute(rest);
        }

        return rest;
    });

    public CapabilityStatement.RestComponent Rest => _rest.Value;
}

/// <summary>Adds what another part of the node serves to the CapabilityStatement's REST part (e.g. its security), once at first use.</summary>
public interface ICapabilityContributor
{
    void Contribute(CapabilityStatement.RestComponent rest);
}
