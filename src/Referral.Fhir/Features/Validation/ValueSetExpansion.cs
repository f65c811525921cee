using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// Expands a ValueSet offline from the CodeSystems and ValueSets loaded with it: listed concepts, whole code systems
/// (with their concept hierarchy), other value sets, and excluded concepts. Filters need a terminology server and are refused.
/// </summary>
public static class ValueSetExpansion
{
    private const int MaxDepth = 5;

    /// <summary>The (system, code) pairs of <paramref name="valueSet"/>.</summary>
    /// <exception cref="InvalidOperationException">It uses what cannot be expanded from the loaded resources.</exception>
    public static HashSet<(string System, string Code)> Expand(
        ValueSet valueSet, IReadOnlyDictionary<string, CodeSystem> codeSystems, IReadOnlyDictionary<string, ValueSet> valueSets) =>
        Expand(valueSet, codeSystems, valueSets, 0);

    private static HashSet<(string System, string Code)> Expand(
        ValueSet valueSet, IReadOnlyDictionary<string, CodeSystem> codeSystems, IReadOnlyDictionary<string, ValueSet> valueSets, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException($"ValueSet includes nest deeper than {MaxDepth} levels (a cycle?).");
        }

        var codes = new HashSet<(string, string)>();
        foreach (var include in valueSet.Compose?.Include ?? [])
        {
            codes.UnionWith(Include(include, codeSystems, valueSets, depth));
        }

        foreach (var exclude in valueSet.Compose?.Exclude ?? [])
        {
            if (exclude.Concept.Count == 0 || exclude.Filter.Count > 0 || exclude.ValueSet.Any())
            {
                throw new InvalidOperationException("compose.exclude may only list concepts of a system here.");
            }

            codes.ExceptWith(exclude.Concept.Select(c => (exclude.System ?? "", c.Code ?? "")));
        }

        return codes;
    }

    private static HashSet<(string System, string Code)> Include(
        ValueSet.ConceptSetComponent include, IReadOnlyDictionary<string, CodeSystem> codeSystems, IReadOnlyDictionary<string, ValueSet> valueSets, int depth)
    {
        if (include.Filter.Count > 0)
        {
            throw new InvalidOperationException($"compose.include of '{include.System}' uses a filter, which needs a terminology server.");
        }

        HashSet<(string, string)>? codes = null;
        if (include.System is { Length: > 0 } system)
        {
            if (include.Concept.Count > 0)
            {
                codes = [.. include.Concept.Select(c => (system, c.Code ?? ""))];
            }
            else if (codeSystems.TryGetValue(Canonical(system), out var codeSystem))
            {
                codes = [.. Flatten(codeSystem.Concept).Select(c => (system, c.Code ?? ""))];
            }
            else
            {
                throw new InvalidOperationException($"compose.include takes all of CodeSystem '{system}', which is not among the conformance resources.");
            }
        }

        foreach (var url in include.ValueSet.OfType<string>())
        {
            if (!valueSets.TryGetValue(Canonical(url), out var nested))
            {
                throw new InvalidOperationException($"compose.include names ValueSet '{url}', which is not among the conformance resources.");
            }

            var nestedCodes = Expand(nested, codeSystems, valueSets, depth + 1);
            // Several sources in one include intersect.
            codes = codes is null ? nestedCodes : [.. codes.Intersect(nestedCodes)];
        }

        return codes ?? [];
    }

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> Flatten(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(Flatten(c.Concept)));

    /// <summary>A canonical URL without its <c>|version</c>.</summary>
    public static string Canonical(string url) => url.Split('|', 2)[0];
}
