using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// The codes behind token <c>:in</c>, <c>:not-in</c>, <c>:below</c> and <c>:above</c>, read from ValueSets and
/// CodeSystems stored on this node (no terminology server): a value set's explicit concepts, whole code systems and
/// expansion, and a code system's concept hierarchy.
/// </summary>
internal static class StoredTerminology
{
    // Nested compose.include.valueSet references deeper than this are taken as a cycle.
    private const int MaxValueSetDepth = 5;

    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    /// <summary>The codes of the ValueSet named by canonical URL (optionally <c>|version</c>) or <c>ValueSet/id</c>.</summary>
    /// <exception cref="BadRequestException">No such ValueSet is stored, or it uses what cannot be expanded here (filters).</exception>
    public static CodeSet ValueSetCodes(FhirDbContext db, string reference, string name) => ValueSetCodes(db, reference, name, 0);

    /// <summary>The code and its descendants (<c>:below</c>) or ancestors (<c>:above</c>) in the stored CodeSystem of <paramref name="system"/>.</summary>
    /// <exception cref="BadRequestException">No CodeSystem with that URL is stored, so its hierarchy is unknown.</exception>
    public static CodeSet Hierarchy(FhirDbContext db, string system, string code, bool below, string name)
    {
        var codeSystem = Find<CodeSystem>(db, "CodeSystem", system)
            ?? throw new BadRequestException($"'{name}' needs the CodeSystem '{system}' for its hierarchy, and this server does not hold it.", name);
        var path = PathTo(codeSystem.Concept, code);
        IEnumerable<string> codes = path is null ? [code]
            : below ? Descendants(path[^1]).Prepend(code)
            : path.Select(c => c.Code ?? "");
        return new CodeSet([.. codes.Select(c => (system, c))], []);
    }

    private static CodeSet ValueSetCodes(FhirDbContext db, string reference, string name, int depth)
    {
        var valueSet = (depth < MaxValueSetDepth ? FindValueSet(db, reference) : null)
            ?? throw new BadRequestException($"The ValueSet '{reference}' of '{name}' is not stored on this server.", name);

        // An expansion lists exactly the codes, whatever the compose says.
        if (valueSet.Expansion is { } expansion && expansion.Contains.Count > 0)
        {
            return new CodeSet([.. Flatten(expansion.Contains).Where(c => c.Code is not null).Select(c => (c.System ?? "", c.Code!))], []);
        }

        var concepts = new List<(string System, string Code)>();
        var systems = new List<string>();
        foreach (var include in valueSet.Compose?.Include ?? [])
        {
            if (include.Filter.Count > 0)
            {
                throw new BadRequestException($"The ValueSet '{reference}' of '{name}' uses filters, which need a terminology server to expand.", name);
            }

            // Several value sets in one include mean their intersection; only the common single one is read.
            var valueSets = include.ValueSet.OfType<string>().ToList();
            if (valueSets.Count > 1 || (valueSets.Count == 1 && include.System is not null))
            {
                throw new BadRequestException($"The ValueSet '{reference}' of '{name}' intersects value sets, which this server cannot expand.", name);
            }

            if (valueSets.Count == 1)
            {
                var nested = ValueSetCodes(db, valueSets[0], name, depth + 1);
                concepts.AddRange(nested.Concepts);
                systems.AddRange(nested.Systems);
            }
            else if (include.System is { } system && include.Concept.Count > 0)
            {
                concepts.AddRange(include.Concept.Where(c => c.Code is not null).Select(c => (system, c.Code!)));
            }
            else if (include.System is { } wholeSystem)
            {
                // The whole code system: every code the data can validly hold in it.
                systems.Add(wholeSystem);
            }
        }

        var excluded = (valueSet.Compose?.Exclude ?? []).Where(e => e.System is not null)
            .SelectMany(e => e.Concept.Select(c => (e.System!, c.Code ?? ""))).ToHashSet();
        if ((valueSet.Compose?.Exclude ?? []).Any(e => (e.System is not null && e.Concept.Count == 0) || e.Filter.Count > 0 || e.ValueSet.Any()))
        {
            throw new BadRequestException($"The ValueSet '{reference}' of '{name}' excludes more than listed concepts, which this server cannot expand.", name);
        }

        if (excluded.Count > 0 && systems.Count > 0)
        {
            throw new BadRequestException($"The ValueSet '{reference}' of '{name}' excludes codes from a whole code system, which this server cannot expand.", name);
        }

        return new CodeSet([.. concepts.Where(c => !excluded.Contains(c)).Distinct()], [.. systems.Distinct(StringComparer.Ordinal)]);
    }

    private static ValueSet? FindValueSet(FhirDbContext db, string reference)
    {
        if (reference.StartsWith("ValueSet/", StringComparison.Ordinal) && !reference.Contains("://", StringComparison.Ordinal))
        {
            var id = reference["ValueSet/".Length..];
            var json = db.Resources.AsNoTracking()
                .Where(r => r.ResourceType == "ValueSet" && r.ResourceId == id && !r.IsHistory && !r.IsDeleted)
                .Select(r => r.Json).FirstOrDefault();
            return json is null ? null : JsonSerializer.Deserialize<ValueSet>(json, Json);
        }

        return Find<ValueSet>(db, "ValueSet", reference);
    }

    /// <summary>The current resource of the type whose <c>url</c> is the canonical (a <c>|version</c> suffix is ignored).</summary>
    private static T? Find<T>(FhirDbContext db, string type, string canonical)
        where T : Resource
    {
        var bar = canonical.IndexOf('|', StringComparison.Ordinal);
        var url = bar >= 0 ? canonical[..bar] : canonical;
        var withUrl = db.UriIndices.AsNoTracking().Where(i => i.ResourceType == type && i.Param == "url" && i.Uri == url).Select(i => i.Sid);
        var json = db.Resources.AsNoTracking()
            .Where(r => withUrl.Contains(r.Sid) && !r.IsHistory && !r.IsDeleted)
            .OrderByDescending(r => r.LastUpdatedTicks)
            .Select(r => r.Json).FirstOrDefault();
        return json is null ? null : JsonSerializer.Deserialize<T>(json, Json);
    }

    private static IEnumerable<ValueSet.ContainsComponent> Flatten(IEnumerable<ValueSet.ContainsComponent> contains) =>
        contains.SelectMany(c => Flatten(c.Contains).Prepend(c));

    /// <summary>The concepts from the root down to the one with <paramref name="code"/>; null when it is not in the hierarchy.</summary>
    private static List<CodeSystem.ConceptDefinitionComponent>? PathTo(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts, string code)
    {
        foreach (var concept in concepts)
        {
            if (concept.Code == code)
            {
                return [concept];
            }

            if (PathTo(concept.Concept, code) is { } below)
            {
                below.Insert(0, concept);
                return below;
            }
        }

        return null;
    }

    private static IEnumerable<string> Descendants(CodeSystem.ConceptDefinitionComponent concept) =>
        concept.Concept.SelectMany(c => Descendants(c).Prepend(c.Code ?? ""));
}
