using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>fixed[x] (the value exactly) and pattern[x] (the instance contains the pattern's values) on every node of the element: <c>value</c>.</summary>
public static class FixedPatternRule
{
    public static void Check(ElementCheck check, List<OperationOutcome.IssueComponent> issues)
    {
        // A slice's own pattern is what selects its members, so it holds by construction.
        if (check.Element.SliceName is not null || ElementWalker.Expected(check.Element) is not { } expected)
        {
            return;
        }

        foreach (var node in check.Nodes.Where(n => !PatternMatcher.Matches(n, expected.Value, expected.Exact)))
        {
            var kind = expected.Exact ? "must be exactly" : "must contain";
            issues.Add(ElementCheck.Error(OperationOutcome.IssueType.Value,
                $"'{check.Element.Path}' {kind} {Describe(expected.Value)} (profile {check.Walker.Profile.Url}).", ElementCheck.PathOf(node)));
        }
    }

    private static string Describe(DataType value) => value switch
    {
        PrimitiveType primitive => $"'{primitive}'",
        CodeableConcept concept => string.Join(", ", concept.Coding.Select(c => $"{c.System}|{c.Code}")),
        Coding coding => $"{coding.System}|{coding.Code}",
        _ => $"the {value.TypeName} given in the profile",
    };
}
