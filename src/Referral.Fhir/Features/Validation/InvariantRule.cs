using Hl7.Fhir.ElementModel;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// The element's constraints, evaluated with Firely's FHIRPath engine on each of its nodes: an invariant holds only when it
/// evaluates to true. Severity error gives an error, warning a warning; code <c>invariant</c>.
/// </summary>
public static class InvariantRule
{
    public static void Check(ElementCheck check, ITypedElement resource, List<OperationOutcome.IssueComponent> issues)
    {
        if (check.Element.Constraint.Count == 0)
        {
            return;
        }

        var root = resource as PocoNode;
        foreach (var constraint in check.Element.Constraint)
        {
            var expression = check.Resources.Invariant(constraint.Expression!);
            var severity = constraint.Severity == ConstraintSeverity.Warning ? OperationOutcome.IssueSeverity.Warning : OperationOutcome.IssueSeverity.Error;
            foreach (var node in check.Nodes.OfType<PocoNode>())
            {
                bool holds;
                try
                {
                    holds = expression.Predicate(node, new FhirEvaluationContext { Resource = root, RootResource = root });
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
                {
                    holds = false;
                }

                if (!holds)
                {
                    issues.Add(ElementCheck.Issue(severity, OperationOutcome.IssueType.Invariant,
                        $"{constraint.Key}: {constraint.Human ?? constraint.Expression} (profile {check.Walker.Profile.Url}).", ElementCheck.PathOf(node)));
                }
            }
        }
    }
}
