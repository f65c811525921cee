using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// Finds the instance nodes a differential element describes: its id (<c>Composition.section:followUpPlan.code</c>) is
/// followed segment by segment from the root, a <c>[x]</c> segment matches the choice element whatever its type, and a
/// <c>:slice</c> segment keeps only the repetitions that match the slice's discriminators (value or pattern, on
/// <c>$this</c> or a child path; an extension slice matches on the url of its extension definition).
/// </summary>
public sealed class ElementWalker(StructureDefinition profile, ITypedElement root)
{
    private readonly Dictionary<string, ElementDefinition> _byId =
        (profile.Differential?.Element ?? []).GroupBy(ElementCheck.IdOf).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public ITypedElement Root => root;

    public StructureDefinition Profile => profile;

    /// <summary>The nodes at an element id; the root id gives the root.</summary>
    public IReadOnlyList<ITypedElement> Select(string elementId)
    {
        var segments = elementId.Split('.');
        IReadOnlyList<ITypedElement> nodes = [root];
        for (var i = 1; i < segments.Length; i++)
        {
            var prefix = string.Join('.', segments.Take(i + 1));
            nodes = [.. nodes.SelectMany(n => Children(n, segments[i], prefix))];
        }

        return nodes;
    }

    /// <summary>The children of <paramref name="parent"/> that the id segment (name, optional <c>:slice</c>) selects.</summary>
    public IEnumerable<ITypedElement> Children(ITypedElement parent, string segment, string elementId)
    {
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        var name = ElementName(colon < 0 ? segment : segment[..colon]);
        var children = parent.Children(name);
        return colon < 0 ? children : children.Where(c => InSlice(c, elementId));
    }

    /// <summary>The name of an element in instances: <c>value[x]</c> is <c>value</c>.</summary>
    public static string ElementName(string segment) => segment.EndsWith("[x]", StringComparison.Ordinal) ? segment[..^3] : segment;

    /// <summary>The extension url an extension slice stands for (its type's profile), if it is one.</summary>
    public string? ExtensionUrl(string sliceId) =>
        _byId.TryGetValue(sliceId, out var slice) && (slice.Path ?? "").EndsWith("xtension", StringComparison.Ordinal)
            ? slice.Type.SelectMany(t => t.Profile).FirstOrDefault()
            : null;

    private bool InSlice(ITypedElement node, string sliceId)
    {
        var sliced = sliceId[..sliceId.LastIndexOf(':')];
        if (!_byId.TryGetValue(sliceId, out var slice) || !_byId.TryGetValue(sliced, out var slicing) || slicing.Slicing is null)
        {
            return false;
        }

        foreach (var discriminator in slicing.Slicing.Discriminator)
        {
            var path = discriminator.Path ?? "$this";
            if (path == "url" && ExtensionUrl(sliceId) is { } url)
            {
                if (!string.Equals(node.Children("url").FirstOrDefault()?.Value?.ToString(), url, StringComparison.Ordinal))
                {
                    return false;
                }

                continue;
            }

            var definition = path == "$this" ? slice : _byId.GetValueOrDefault($"{sliceId}.{path}");
            if (definition is null || Expected(definition) is not { } expected)
            {
                return false;
            }

            var values = path == "$this" ? [node] : path.Split('.').Aggregate((IEnumerable<ITypedElement>)[node], (at, step) => at.SelectMany(n => n.Children(step)));
            if (!values.Any(v => PatternMatcher.Matches(v, expected.Value, expected.Exact)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The fixed (exact) or pattern value an element requires, if any.</summary>
    public static (DataType Value, bool Exact)? Expected(ElementDefinition element) =>
        element.Fixed is { } fixedValue ? (fixedValue, true) : element.Pattern is { } pattern ? (pattern, false) : null;
}
