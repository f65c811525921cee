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

        AddResourceParameters();
        foreach (var custom in customParameters ?? [])
        {
            AddCustom(custom);
        }

        ExpandInheritedParameters();
    }

    /// <summary>Every resource type that the node stores.</summary>
    public static IReadOnlyCollection<string> ResourceTypes { get; } =
        ModelInfo.SupportedResources.Where(t => t is not ("Resource" or "DomainResource")).Order(StringComparer.Ordinal).ToArray();

    private static readonly HashSet<string> KnownTypes = new(ResourceTypes, StringComparer.Ordinal);

    /// <summary>True for a concrete R4 resource type name (not the abstract Resource/DomainResource).</summary>
    public static bool IsResourceType(string? type) => type is not null && KnownTypes.Contains(type);

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

    // Firely's R4 ModelInfo.SearchParameters (6.x) lists none of the Resource-level parameters, only DomainResource's _text,
    // so the ones every type has are added here from the R4 definitions (http://hl7.org/fhir/R4/resource.html#search).
    private void AddResourceParameters()
    {
        (string Code, SearchParamType Type, string? Expression, string Name)[] common =
        [
            ("_id", SearchParamType.Token, null, "id"),
            ("_lastUpdated", SearchParamType.Date, null, "lastUpdated"),
            ("_tag", SearchParamType.Token, "meta.tag", "tag"),
            ("_profile", SearchParamType.Uri, "meta.profile", "profile"),
            ("_security", SearchParamType.Token, "meta.security", "security"),
            ("_source", SearchParamType.Uri, "meta.source", "source"),
        ];
        foreach (var (code, type, expression, name) in common)
        {
            if (!TryGet("Resource", code, out _))
            {
                Add(new SearchParameterInfo(code, "Resource", type, expression, [], $"http://hl7.org/fhir/SearchParameter/Resource-{name}"));
            }
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
