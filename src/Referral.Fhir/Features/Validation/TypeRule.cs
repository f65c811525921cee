using System.Text.RegularExpressions;
using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// The types an element allows: a choice element (<c>value[x]</c>) must hold one of the listed types, and a
/// <c>Reference(X)</c> whose reference is literal (<c>X/id</c>, or an absolute URL ending in it) must point to one of the
/// target profiles' types. Contained, logical and <c>urn:</c> references are not resolved. Code <c>structure</c>.
/// </summary>
public static partial class TypeRule
{
    public static void Check(ElementCheck check, List<OperationOutcome.IssueComponent> issues)
    {
        var types = check.Element.Type;
        if (types.Count == 0)
        {
            return;
        }

        var allowed = types.Select(t => t.Code).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var node in check.Nodes)
        {
            if ((check.Element.Path ?? "").EndsWith("[x]", StringComparison.Ordinal) && node.InstanceType is { } type && !allowed.Contains(type))
            {
                issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Structure,
                    $"'{check.Element.Path}' must be of type {string.Join(" or ", allowed)}, not {type} (profile {check.Walker.Profile.Url}).", ElementCheck.PathOf(node)));
                continue;
            }

            if (node.InstanceType == "Reference")
            {
                CheckTarget(check, node, types, issues);
            }
        }
    }

    private static void CheckTarget(ElementCheck check, ITypedElement node, List<ElementDefinition.TypeRefComponent> types, List<OperationOutcome.IssueComponent> issues)
    {
        var targets = types.Where(t => t.Code == "Reference").SelectMany(t => t.TargetProfile).OfType<string>().ToList();
        if (targets.Count == 0 || node.Children("reference").FirstOrDefault()?.Value?.ToString() is not { } reference
            || LiteralType().Match(reference) is not { Success: true } match)
        {
            return;
        }

        var targetTypes = targets.Select(check.Resources.TypeOfProfile).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var type = match.Groups["type"].Value;
        if (targetTypes.Count > 0 && !targetTypes.Contains(type, StringComparer.Ordinal))
        {
            issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Structure,
                $"'{check.Element.Path}' must refer to {string.Join(" or ", targetTypes)}, not {type} ('{reference}', profile {check.Walker.Profile.Url}).",
                ElementCheck.PathOf(node)));
        }
    }

    // Type/id, Type/id/_history/v, or an absolute URL ending so.
    [GeneratedRegex(@"^(?:https?://[^?#]*/)?(?<type>[A-Z][A-Za-z]+)/[A-Za-z0-9\-\.]{1,64}(?:/_history/[A-Za-z0-9\-\.]{1,64})?$")]
    private static partial Regex LiteralType();
}
