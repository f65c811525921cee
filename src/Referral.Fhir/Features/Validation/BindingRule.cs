using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// Required bindings (and extensible ones, as warnings) to ValueSets the node holds: a code, Coding or CodeableConcept
/// whose codes are not in the value set is <c>code-invalid</c>. A CodeableConcept passes when one of its codings is in it.
/// </summary>
public static class BindingRule
{
    public static void Check(ElementCheck check, List<OperationOutcome.IssueComponent> issues)
    {
        if (check.Element.Binding is not { Strength: BindingStrength.Required or BindingStrength.Extensible } binding
            || check.Resources.ValueSetCodes(binding.ValueSet) is not { } codes)
        {
            return;
        }

        var required = binding.Strength == BindingStrength.Required;
        foreach (var node in check.Nodes)
        {
            var given = Codes(node).ToList();
            if (InValueSet(node, given, codes))
            {
                continue;
            }

            // Extensible: another code system is allowed when nothing in the value set fits; text alone too.
            if (!required && (given.Count == 0 || given.All(g => !codes.Any(c => c.System == g.System))))
            {
                continue;
            }

            var shown = given.Count == 0 ? "no code" : string.Join(", ", given.Select(g => g.System is null ? $"'{g.Code}'" : $"{g.System}|{g.Code}"));
            issues.Add(ElementCheck.Issue(
                required ? OperationOutcome.IssueSeverity.Error : OperationOutcome.IssueSeverity.Warning,
                OperationOutcome.IssueType.CodeInvalid,
                $"'{check.Element.Path}' has {shown}, which is not in ValueSet '{binding.ValueSet}' ({binding.Strength.ToString()!.ToLowerInvariant()} binding).",
                ElementCheck.PathOf(node)));
        }
    }

    private static bool InValueSet(ITypedElement node, List<(string? System, string? Code)> given, IReadOnlySet<(string System, string Code)> codes) =>
        node.InstanceType is "code" or "string" or "uri"
            // A bare code takes its system from the value set.
            ? given.Any(g => codes.Any(c => c.Code == g.Code))
            : given.Any(g => g.System is not null && g.Code is not null && codes.Contains((g.System, g.Code)));

    private static IEnumerable<(string? System, string? Code)> Codes(ITypedElement node) => node.InstanceType switch
    {
        "CodeableConcept" => node.Children("coding").Select(Coding),
        "Coding" => [Coding(node)],
        _ => [(null, node.Value?.ToString())],
    };

    private static (string? System, string? Code) Coding(ITypedElement coding) =>
        (coding.Children("system").FirstOrDefault()?.Value?.ToString(), coding.Children("code").FirstOrDefault()?.Value?.ToString());
}
