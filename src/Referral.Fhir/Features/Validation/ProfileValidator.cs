using System.Net;
using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;
using Referral.Fhir.Errors;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// Validates a resource against a profile's differential (cardinality, types and reference targets, fixed and pattern
/// values, required bindings, invariants), and every extension in it whose definition the node holds against that
/// definition. Used on write for the profiles a resource claims and by <c>$validate</c>.
/// </summary>
public sealed class ProfileValidator(ConformanceResources resources)
{
    public ConformanceResources Resources => resources;

    /// <summary>The issues of <paramref name="resource"/> against <paramref name="profile"/>; empty when it conforms.</summary>
    public IReadOnlyList<OperationOutcome.IssueComponent> Validate(Resource resource, StructureDefinition profile)
    {
        var root = resource.ToPocoNode();
        var issues = new List<OperationOutcome.IssueComponent>();
        if (profile.Type != resource.TypeName)
        {
            issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Structure,
                $"Profile {profile.Url} constrains {profile.Type}, not {resource.TypeName}.", resource.TypeName));
            return issues;
        }

        Walk(profile, root, root, issues);
        foreach (var extension in Descendants(root).Where(n => n.InstanceType == "Extension"))
        {
            if (extension.Children("url").FirstOrDefault()?.Value?.ToString() is { } url && resources.Find(url) is { Type: "Extension" } definition)
            {
                Walk(definition, extension, root, issues);
            }
        }

        // An element reached by two routes (a slice and its base) must not be reported twice.
        return [.. issues.DistinctBy(i => (i.Code, i.Diagnostics, string.Join('|', i.Expression)))];
    }

    /// <summary>The profiles in <c>meta.profile</c> that the node holds; the others are the client's claim and are not checked.</summary>
    public IReadOnlyList<StructureDefinition> ClaimedProfiles(Resource resource) =>
        [.. (resource.Meta?.Profile ?? []).Select(resources.Find).OfType<StructureDefinition>().Distinct()];

    /// <summary>Validates against every claimed profile the node holds; errors refuse the write with 422 and all issues.</summary>
    public void RequireConformant(Resource resource)
    {
        var claimed = ClaimedProfiles(resource);
        if (claimed.Count == 0)
        {
            return;
        }

        var issues = claimed.SelectMany(p => Validate(resource, p)).ToList();
        if (issues.Any(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal))
        {
            throw new InvalidResourceException(issues, HttpStatusCode.UnprocessableEntity);
        }
    }

    private void Walk(StructureDefinition profile, ITypedElement root, ITypedElement resource, List<OperationOutcome.IssueComponent> issues)
    {
        var walker = new ElementWalker(profile, root);
        foreach (var element in profile.Differential?.Element ?? [])
        {
            var id = ElementCheck.IdOf(element);
            var check = new ElementCheck(element, id, walker.Select(id), walker, resources);
            CardinalityRule.Check(check, issues);
            TypeRule.Check(check, issues);
            FixedPatternRule.Check(check, issues);
            BindingRule.Check(check, issues);
            InvariantRule.Check(check, resource, issues);
        }
    }

    private static IEnumerable<ITypedElement> Descendants(ITypedElement node) =>
        node.Children().SelectMany(c => new[] { c }.Concat(Descendants(c)));
}
