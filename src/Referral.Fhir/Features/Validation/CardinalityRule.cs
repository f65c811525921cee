using System.Globalization;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// min/max of an element, counted in each instance of its parent (an element under a missing parent is not checked);
/// on a slice, only the repetitions in the slice count. Too few: <c>required</c>; too many: <c>structure</c>.
/// </summary>
public static class CardinalityRule
{
    public static void Check(ElementCheck check, List<OperationOutcome.IssueComponent> issues)
    {
        var element = check.Element;
        var dot = check.Id.LastIndexOf('.');
        if (dot < 0 || (element.Min is null or 0 && element.Max is null or "*"))
        {
            return;
        }

        var parentId = check.Id[..dot];
        var segment = check.Id[(dot + 1)..];
        var max = element.Max is null or "*" ? int.MaxValue : int.Parse(element.Max, CultureInfo.InvariantCulture);
        foreach (var parent in check.Walker.Select(parentId))
        {
            var count = check.Walker.Children(parent, segment, check.Id).Count();
            var expression = Expression(check, parent, segment);
            if (count < (element.Min ?? 0))
            {
                issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Required,
                    $"{Describe(check, segment)} is required at least {element.Min} time(s) but is present {count} time(s) (profile {Profile(check)}).", expression));
            }
            else if (count > max)
            {
                issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Structure,
                    $"{Describe(check, segment)} is allowed at most {element.Max} time(s) but is present {count} time(s) (profile {Profile(check)}).", expression));
            }
        }
    }

    private static string Expression(ElementCheck check, Hl7.Fhir.ElementModel.ITypedElement parent, string segment)
    {
        var parentPath = ElementCheck.PathOf(parent);
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        var name = ElementWalker.ElementName(colon < 0 ? segment : segment[..colon]);
        return colon >= 0 && check.Walker.ExtensionUrl(check.Id) is { } url ? $"{parentPath}.{name}('{url}')" : $"{parentPath}.{name}";
    }

    private static string Describe(ElementCheck check, string segment)
    {
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return $"'{check.Element.Path}'";
        }

        return check.Walker.ExtensionUrl(check.Id) is { } url
            ? $"Extension '{url}'"
            : $"'{check.Element.Path}' matching slice '{segment[(colon + 1)..]}'";
    }

    private static string Profile(ElementCheck check) => check.Walker.Profile.Url ?? "";
}
