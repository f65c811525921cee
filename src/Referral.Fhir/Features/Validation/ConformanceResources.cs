using System.Text.Json;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// The alliance's StructureDefinitions, ValueSets and CodeSystems, read once at start from the profiles folder (every
/// <c>*.json</c>, recursively; other resource types there, such as SearchParameters and examples, are skipped). Everything
/// the validator needs is checked and prepared here (value sets expanded, invariants compiled), so a file the node could
/// not enforce fails the start with the file and the problem instead of being half-applied.
/// </summary>
public sealed class ConformanceResources
{
    private static readonly HashSet<string> LoadedTypes = ["StructureDefinition", "ValueSet", "CodeSystem"];
    private static readonly FhirPathCompiler Compiler = new(new SymbolTable().AddStandardFP().AddFhirExtensions());

    private readonly Dictionary<string, StructureDefinition> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(string System, string Code)>> _valueSetCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledExpression> _invariants = new(StringComparer.Ordinal);

    private ConformanceResources()
    {
    }

    /// <summary>No conformance resources: nothing is enforced beyond parsing.</summary>
    public static ConformanceResources Empty { get; } = new();

    /// <summary>The folder they were read from, if any.</summary>
    public string? Folder { get; private init; }

    public IReadOnlyCollection<StructureDefinition> StructureDefinitions => _profiles.Values;

    /// <summary>The StructureDefinition with this canonical URL (a <c>|version</c> suffix is ignored).</summary>
    public StructureDefinition? Find(string? canonical) =>
        canonical is not null && _profiles.TryGetValue(ValueSetExpansion.Canonical(canonical), out var profile) ? profile : null;

    /// <summary>The codes of a loaded ValueSet, or null when the node does not hold it.</summary>
    public IReadOnlySet<(string System, string Code)>? ValueSetCodes(string? canonical) =>
        canonical is not null && _valueSetCodes.TryGetValue(ValueSetExpansion.Canonical(canonical), out var codes) ? codes : null;

    /// <summary>The compiled FHIRPath of a constraint expression (compiled at load).</summary>
    public CompiledExpression Invariant(string expression) => _invariants[expression];

    /// <summary>The resource type a target profile allows: a core type's own definition, or a loaded profile's type.</summary>
    public string? TypeOfProfile(string url)
    {
        const string core = "http://hl7.org/fhir/StructureDefinition/";
        if (url.StartsWith(core, StringComparison.Ordinal) && ModelInfo.IsKnownResource(url[core.Length..]))
        {
            return url[core.Length..];
        }

        return Find(url)?.Type;
    }

    /// <summary>Reads the folder; null or a missing folder gives <see cref="Empty"/>.</summary>
    /// <exception cref="InvalidConformanceResourceException">A file is not valid FHIR JSON or holds a definition the node cannot enforce.</exception>
    public static ConformanceResources Load(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return Empty;
        }

        var options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
        var files = new List<(string File, Resource Resource)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("resourceType", out var type)
                    && type.ValueKind == JsonValueKind.String && LoadedTypes.Contains(type.GetString()!))
                {
                    files.Add((file, document.RootElement.Deserialize<Resource>(options)!));
                }
            }
            catch (JsonException e)
            {
                throw new InvalidConformanceResourceException(file, $"not valid JSON: {e.Message}", e);
            }
            catch (DeserializationFailedException e)
            {
                throw new InvalidConformanceResourceException(file, $"not valid FHIR R4: {e.Message}", e);
            }
        }

        var result = new ConformanceResources { Folder = folder };
        var codeSystems = new Dictionary<string, CodeSystem>(StringComparer.Ordinal);
        var valueSets = new Dictionary<string, (string File, ValueSet ValueSet)>(StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, resource) in files)
        {
            var url = resource switch
            {
                StructureDefinition s => s.Url,
                ValueSet v => v.Url,
                CodeSystem c => c.Url,
                _ => null,
            };
            if (string.IsNullOrEmpty(url))
            {
                throw new InvalidConformanceResourceException(file, $"the {resource.TypeName} has no url.");
            }

            if (!seen.TryAdd($"{resource.TypeName}|{url}", file))
            {
                throw new InvalidConformanceResourceException(file, $"{resource.TypeName} '{url}' is also defined in '{seen[$"{resource.TypeName}|{url}"]}'.");
            }

            switch (resource)
            {
                case StructureDefinition profile:
                    result._profiles[url] = profile;
                    break;
                case ValueSet valueSet:
                    valueSets[url] = (file, valueSet);
                    break;
                case CodeSystem codeSystem:
                    codeSystems[url] = codeSystem;
                    break;
            }
        }

        var plainValueSets = valueSets.ToDictionary(v => v.Key, v => v.Value.ValueSet, StringComparer.Ordinal);
        foreach (var (url, (file, valueSet)) in valueSets)
        {
            try
            {
                result._valueSetCodes[url] = ValueSetExpansion.Expand(valueSet, codeSystems, plainValueSets);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidConformanceResourceException(file, $"ValueSet '{url}' cannot be expanded offline: {e.Message}");
            }
        }

        foreach (var (file, resource) in files)
        {
            if (resource is StructureDefinition profile)
            {
                result.Prepare(file, profile);
            }
        }

        return result;
    }

    /// <summary>Checks that the validator can enforce every element of the differential, and compiles its invariants.</summary>
    private void Prepare(string file, StructureDefinition profile)
    {
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        void Fail(string problem) => throw new InvalidConformanceResourceException(file, $"StructureDefinition '{profile.Url}': {problem}");

        if (profile.Derivation != StructureDefinition.TypeDerivationRule.Constraint || string.IsNullOrEmpty(profile.Type))
        {
            Fail("only constraint profiles with a type are supported.");
        }

        if (profile.Differential?.Element is not { Count: > 0 } elements)
        {
            Fail("it has no differential.");
            return;
        }

        foreach (var element in elements)
        {
            var id = ElementCheck.IdOf(element);
            if (string.IsNullOrEmpty(element.Path))
            {
                Fail($"element '{id}' has no path.");
            }

            if (string.IsNullOrEmpty(id) || !(id == profile.Type || id.StartsWith(profile.Type + ".", StringComparison.Ordinal)))
            {
                Fail($"element '{id}' is not inside {profile.Type}.");
            }

            if (element.Max is { } max && max != "*" && !int.TryParse(max, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                Fail($"element '{id}' has max '{max}', which is neither a number nor '*'.");
            }

            if (element.Min is { } min && element.Max is { } upper && upper != "*" && min > int.Parse(upper, System.Globalization.CultureInfo.InvariantCulture))
            {
                Fail($"element '{id}' has min {min} above max {upper}.");
            }

            if (element.Binding is { Strength: BindingStrength.Required or BindingStrength.Extensible } binding && ValueSetCodes(binding.ValueSet) is null)
            {
                Fail($"element '{id}' is bound to ValueSet '{binding.ValueSet}', which is not among the conformance resources.");
            }

            foreach (var discriminator in element.Slicing?.Discriminator ?? [])
            {
                if (discriminator.Type is not (ElementDefinition.DiscriminatorType.Value or ElementDefinition.DiscriminatorType.Pattern))
                {
                    Fail($"element '{id}' slices by {discriminator.Type}; only value and pattern discriminators are supported.");
                }
            }

            foreach (var constraint in element.Constraint)
            {
                if (string.IsNullOrEmpty(constraint.Expression))
                {
                    Fail($"constraint '{constraint.Key}' on '{id}' has no FHIRPath expression.");
                }

                try
                {
                    _invariants.TryAdd(constraint.Expression!, Compiler.Compile(constraint.Expression!));
                }
                catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
                {
                    Fail($"constraint '{constraint.Key}' on '{id}' is not valid FHIRPath: {e.Message}");
                }
            }
        }

        foreach (var element in elements.Where(e => e.SliceName is not null))
        {
            var id = ElementCheck.IdOf(element);
            if (!id.EndsWith($":{element.SliceName}", StringComparison.Ordinal))
            {
                Fail($"slice '{element.SliceName}' needs an element id ending in ':{element.SliceName}', not '{id}'.");
            }

            var sliced = id[..id.LastIndexOf(':')];
            if (!elements.Any(e => ElementCheck.IdOf(e) == sliced && e.Slicing is not null))
            {
                Fail($"slice '{id}' has no slicing defined on '{sliced}'.");
            }
        }
    }
}
