using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace Referral.Fhir.Features.Search;

/// <summary>
/// The search parameters this node supports: every R4 parameter from <see cref="ModelInfo.SearchParameters"/>
/// plus custom SearchParameter resources loaded from the profiles folder.
/// </summary>
public sealed class SearchParameterRegistry
{
    /// <summary>
    /// The meta parameters every resource has. Firely's <see cref="ModelInfo.SearchParameters"/> lacks Resource-level
    /// definitions, so they are declared here as the R4 specification defines them (_id and _lastUpdated are served
    /// from resource columns by the query side and need no index rows).
    /// </summary>
    private static readonly SearchParameterInfo[] ResourceLevel =
    [
        new("_tag", "Resource", SearchParamType.Token, "meta.tag", [], "http://hl7.org/fhir/SearchParameter/Resource-tag"),
        new("_security", "Resource", SearchParamType.Token, "meta.security", [], "http://hl7.org/fhir/SearchParameter/Resource-security"),
        new("_profile", "Resource", SearchParamType.Uri, "meta.profile", [], "http://hl7.org/fhir/SearchParameter/Resource-profile"),
        new("_source", "Resource", SearchParamType.Uri, "meta.source", [], "http://hl7.org/fhir/SearchParameter/Resource-source"),
    ];

    private readonly Dictionary<string, Dictionary<string, SearchParameterInfo>> _byType = new(StringComparer.Ordinal);

    public SearchParameterRegistry(IEnumerable<SearchParameter>? customParameters = null)
    {
        foreach (var definition in ModelInfo.SearchParameters)
        {
            // Composite parameters combine other parameters' values; the node does not index them (see README).
            if (definition.Type == SearchParamType.Composite || definition.Resource is null)
            {
                continue;
            }

            var targets = definition.Target?.Select(t => t.GetLiteral()).OfType<string>().ToArray() ?? [];
            Add(new SearchParameterInfo(definition.Name!, definition.Resource, definition.Type, NullIfEmpty(definition.Expression), targets, definition.Url ?? ""));
        }

        foreach (var parameter in ResourceLevel)
        {
            Add(parameter);
        }

        foreach (var custom in customParameters ?? [])
        {
            AddCustom(custom);
        }

        ExpandInheritedParameters();
    }

    /// <summary>Every resource type that the node stores.</summary>
    public static IReadOnlyCollection<string> ResourceTypes { get; } =
        ModelInfo.SupportedResources.Where(t => t is not ("Resource" or "DomainResource")).Order(StringComparer.Ordinal).ToArray();

    public bool TryGet(string resourceType, string code, out SearchParameterInfo parameter)
    {
        parameter = null!;
        return _byType.TryGetValue(resourceType, out var byCode) && byCode.TryGetValue(code, out parameter!);
    }

    /// <summary>The parameters of a type, including the ones every resource inherits (<c>_tag</c>, <c>_profile</c>, …).</summary>
    public IEnumerable<SearchParameterInfo> ForType(string resourceType) =>
        _byType.TryGetValue(resourceType, out var byCode) ? byCode.Values : [];

    /// <summary>Loads the SearchParameter resources among the JSON files of a folder (other conformance resources are skipped).</summary>
    public static IReadOnlyList<SearchParameter> LoadCustom(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        var options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
        var result = new List<SearchParameter>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.TryGetProperty("resourceType", out var type) && type.GetString() == "SearchParameter")
            {
                result.Add(document.RootElement.Deserialize<SearchParameter>(options)!);
            }
        }

        return result;
    }

    private void AddCustom(SearchParameter custom)
    {
        if (custom.Type is null or SearchParamType.Composite || string.IsNullOrEmpty(custom.Code))
        {
            return;
        }

        var targets = custom.Target?.Select(t => t.GetLiteral()).OfType<string>().ToArray() ?? [];
        foreach (var type in custom.Base.Select(b => b.GetLiteral()).OfType<string>())
        {
            Add(new SearchParameterInfo(custom.Code, type, custom.Type.Value, NullIfEmpty(custom.Expression), targets, custom.Url ?? ""));
        }
    }

    private void Add(SearchParameterInfo parameter)
    {
        if (!_byType.TryGetValue(parameter.ResourceType, out var byCode))
        {
            _byType[parameter.ResourceType] = byCode = new Dictionary<string, SearchParameterInfo>(StringComparer.Ordinal);
        }

        byCode[parameter.Code] = parameter;
    }

    private void ExpandInheritedParameters()
    {
        var inherited = ForType("Resource").Concat(ForType("DomainResource")).ToArray();
        foreach (var type in ResourceTypes)
        {
            foreach (var parameter in inherited)
            {
                if (!TryGet(type, parameter.Code, out _))
                {
                    Add(parameter with { ResourceType = type });
                }
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
