using System.Collections;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>
/// A search parameter expression that is nothing but element paths, several joined by <c>|</c>, each optionally cast
/// (<c>(Observation.value as Quantity)</c>, <c>Condition.onset.as(Period)</c>) or ending in
/// <c>.where(resolve() is Type)</c>: nearly all R4 parameters are. It is evaluated by walking the POCOs' elements
/// directly, which gives the same values as the FHIRPath engine with <see cref="StubReferenceResolver"/> at a fraction
/// of its cost (no typed-element wrappers, no evaluation context). A union's duplicates are kept: the index rows are
/// made distinct afterwards anyway.
/// </summary>
internal sealed partial class ElementPath
{
    /// <summary>Whether a POCO type is a FHIR type, as FHIRPath <c>is</c> decides it: the class or one of its bases has that name.</summary>
    private static readonly ConcurrentDictionary<(Type Clr, string Fhir), bool> IsOfType = new();

    private readonly Part[] _parts;
    private readonly IReadOnlyList<string> _targets;

    private ElementPath(Part[] parts, IReadOnlyList<string> targets) => (_parts, _targets) = (parts, targets);

    /// <summary>
    /// One path of the union. <paramref name="Root"/> is the type name it starts with (null: it starts at the resource's
    /// elements, as <c>meta.tag</c> does); <paramref name="As"/> the type it is cast to; <paramref name="ResolvesTo"/>
    /// the type of a trailing <c>where(resolve() is …)</c>.
    /// </summary>
    private sealed record Part(string? Root, string[] Steps, string? As, string? ResolvesTo);

    /// <summary>Null when the expression uses anything beyond element names, casts and the reference-type filter.</summary>
    /// <param name="expression">The parameter's FHIRPath expression.</param>
    /// <param name="targets">The parameter's target types: a reference whose type is unknown counts as each of them.</param>
    public static ElementPath? TryParse(string expression, IReadOnlyList<string>? targets = null)
    {
        var parts = new List<Part>();
        foreach (var text in expression.Split('|', StringSplitOptions.TrimEntries))
        {
            if (PathPattern().Match(text) is not { Success: true } match)
            {
                return null;
            }

            var steps = match.Groups["path"].Value.Split('.');
            var rooted = char.IsUpper(steps[0][0]);
            parts.Add(new Part(
                rooted ? steps[0] : null,
                rooted ? steps[1..] : steps,
                match.Groups["as"] is { Success: true } cast ? cast.Value : null,
                match.Groups["type"] is { Success: true } type ? type.Value : null));
        }

        return new ElementPath([.. parts], targets ?? []);
    }

    /// <summary>The values, or null when a <c>resolve()</c> meets something other than a Reference (left to the FHIRPath engine).</summary>
    /// <param name="resource">The resource to evaluate on.</param>
    /// <param name="referenceTypeOf">As for <see cref="StubReferenceResolver"/>: the type behind references that do not name it.</param>
    public List<Base>? Select(Resource resource, Func<string, string?>? referenceTypeOf = null)
    {
        var results = new List<Base>();
        foreach (var part in _parts)
        {
            // FHIRPath: a path that starts with another type's name selects nothing on this resource.
            if (part.Root is { } root && root != resource.TypeName && root != "Resource" && !(root == "DomainResource" && resource is DomainResource))
            {
                continue;
            }

            if (part.As is null && part.ResolvesTo is null)
            {
                Walk(resource, part.Steps, 0, results);
                continue;
            }

            var selected = new List<Base>();
            Walk(resource, part.Steps, 0, selected);
            foreach (var node in selected)
            {
                if (part.As is { } cast)
                {
                    if (Is(node, cast))
                    {
                        results.Add(node);
                    }
                }
                else if (node is not ResourceReference reference)
                {
                    return null;
                }
                else if (ResolvesTo(reference, part.ResolvesTo!, referenceTypeOf))
                {
                    results.Add(reference);
                }
            }
        }

        return results;
    }

    private static bool Is(Base node, string fhirType) =>
        IsOfType.GetOrAdd((node.GetType(), fhirType), static key =>
        {
            for (var type = key.Clr; type is not null && type != typeof(object); type = type.BaseType)
            {
                if (ModelInfo.GetFhirTypeNameForType(type) == key.Fhir)
                {
                    return true;
                }
            }

            return false;
        });

    /// <summary>
    /// Whether <c>resolve() is type</c> holds: the reference names its type (or the caller knows it), or its type is
    /// unknown and the parameter may point at that type (the indexer then tries each target type).
    /// </summary>
    private bool ResolvesTo(ResourceReference reference, string type, Func<string, string?>? referenceTypeOf)
    {
        if (reference.Reference is not { } text || !ReferenceLiteral.TryParse(text, out var literal))
        {
            return false;
        }

        var known = literal.TargetType ?? referenceTypeOf?.Invoke(text);
        return known is null ? _targets.Contains(type) : known == type;
    }

    private static void Walk(Base node, string[] steps, int step, List<Base> results)
    {
        if (step == steps.Length)
        {
            results.Add(node);
            return;
        }

        if (!node.TryGetValue(steps[step], out var value))
        {
            return;
        }

        switch (value)
        {
            case Base child:
                Walk(child, steps, step + 1, results);
                break;
            case IEnumerable children:
                foreach (var item in children)
                {
                    if (item is Base element)
                    {
                        Walk(element, steps, step + 1, results);
                    }
                }

                break;
        }
    }

    /// <summary>A path (from a type name, or from the resource's own elements), plain, cast, or filtered by reference type.</summary>
    [GeneratedRegex(
        @"^(?:\((?<path>(?:[A-Z][A-Za-z]*(?:\.[a-z][A-Za-z0-9]*)+|[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*)) as (?<as>[A-Za-z]+)\)" +
        @"|(?<path>(?:[A-Z][A-Za-z]*(?:\.[a-z][A-Za-z0-9]*)+|[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*))(?:\.as\((?<as>[A-Za-z]+)\)|\.where\(resolve\(\) is (?<type>[A-Z][A-Za-z]*)\))?)$")]
    private static partial Regex PathPattern();
}
