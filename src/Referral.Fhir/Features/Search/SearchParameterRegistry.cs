using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Referral.Fhir.Features.Validation;

namespace Referral.Fhir.Features.Search;

/// <summary>
/// The search parameters this node supports: every R4 parameter from <see cref="ModelInfo.SearchParameters"/>
/// plus custom SearchParameter resources loaded from the profiles folder.
/// </summary>
public sealed class SearchParameterRegistry
{
    private const string DocumentReferenceRelationship = "http://hl7.org/fhir/SearchParameter/DocumentReference-relationship";

    private readonly Dictionary<string, Dictionary<string, SearchParameterInfo>> _byType = new(StringComparer.Ordinal);

    // The type behind each definition URL, which is all a composite's component says about how its part matches.
    private readonly Dictionary<string, SearchParamType> _typeByUrl = new(StringComparer.Ordinal);

    public SearchParameterRegistry(IEnumerable<SearchParameter>? customParameters = null)
    {
        var customs = (customParameters ?? []).ToList();
        foreach (var definition in ModelInfo.SearchParameters.Where(d => d.Type != SearchParamType.Composite && d.Resource is not null))
        {
            var targets = definition.Target?.Select(t => t.GetLiteral()).OfType<string>().ToArray() ?? [];
            Add(new SearchParameterInfo(definition.Name!, definition.Resource!, definition.Type, NullIfEmpty(definition.Expression), targets, definition.Url ?? ""));
        }

        AddResourceParameters();
        foreach (var custom in customs.Where(c => c.Type is not SearchParamType.Composite))
        {
            AddCustom(custom);
        }

        // Composites last: their components are looked up by the URLs of the parameters added above.
        foreach (var definition in ModelInfo.SearchParameters.Where(d => d.Type == SearchParamType.Composite && d.Resource is not null))
        {
            AddComposite(definition.Name!, [definition.Resource!], definition.Expression, definition.Url ?? "",
                (definition.Component ?? []).Select(c => ((string?)c.Definition, (string?)c.Expression)));
        }

        foreach (var custom in customs.Where(c => c.Type is SearchParamType.Composite && !string.IsNullOrEmpty(c.Code)))
        {
            AddComposite(custom.Code!, custom.Base.Select(b => b.GetLiteral()).OfType<string>(), custom.Expression, custom.Url ?? "",
                custom.Component.Select(c => (c.Definition, c.Expression)));
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
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("resourceType", out var type)
                    && type.ValueKind == JsonValueKind.String && type.GetString() == "SearchParameter")
                {
                    result.Add(document.RootElement.Deserialize<SearchParameter>(options)!);
                }
            }
            catch (Exception e) when (e is JsonException or DeserializationFailedException)
            {
                throw new InvalidConformanceResourceException(file, $"not a valid FHIR R4 JSON resource: {e.Message}", e);
            }
        }

        return result;
    }

    /// <summary>
    /// A composite whose every component names a known parameter; one that names an unknown one could never match
    /// as a whole, so it is left out rather than advertised.
    /// </summary>
    private void AddComposite(string code, IEnumerable<string> baseTypes, string? expression, string url, IEnumerable<(string? Definition, string? Expression)> parts)
    {
        var components = new List<CompositeComponent>();
        foreach (var (definition, componentExpression) in CorrectedComponents(url, parts))
        {
            if (definition is null || NullIfEmpty(componentExpression) is not { } path || !_typeByUrl.TryGetValue(definition, out var type))
            {
                return;
            }

            components.Add(new CompositeComponent(type, path, definition));
        }

        if (components.Count < 2 || NullIfEmpty(expression) is not { } baseExpression)
        {
            return;
        }

        foreach (var type in baseTypes)
        {
            Add(new SearchParameterInfo(code, type, SearchParamType.Composite, baseExpression, [], url, components));
        }
    }

    // R4's DocumentReference-relationship gives its reference component (relatesto) the expression "code" and its token
    // component (relation) "target"; read as defined, neither part could ever match. The expressions are swapped back
    // to what the parameter describes: relatesTo.target$relatesTo.code.
    private static IEnumerable<(string? Definition, string? Expression)> CorrectedComponents(string url, IEnumerable<(string? Definition, string? Expression)> parts) =>
        url != DocumentReferenceRelationship
            ? parts
            : parts.Select(p => (p.Definition, p.Expression switch { "code" => "target", "target" => "code", var other => other }));

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
        if (parameter.Type != SearchParamType.Composite && parameter.Url.Length > 0)
        {
            _typeByUrl.TryAdd(parameter.Url, parameter.Type);
        }

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
