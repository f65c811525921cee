using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>One differential element being checked: its definition, the instance nodes it describes, and what the rules need around it.</summary>
public sealed record ElementCheck(ElementDefinition Element, string Id, IReadOnlyList<ITypedElement> Nodes, ElementWalker Walker, ConformanceResources Resources)
{
    /// <summary>An element's id, or its path when it has none.</summary>
    public static string IdOf(ElementDefinition element) => element.ElementId ?? element.Path ?? "";

    /// <summary>The path of a node as a FHIRPath-ish expression with indices, e.g. <c>ServiceRequest.reasonCode[0]</c>.</summary>
    public static string PathOf(ITypedElement node) => node is IShortPathGenerator shortPath ? shortPath.ShortPath : node.Location;

    public static OperationOutcome.IssueComponent Issue(
        OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType code, string diagnostics, string expression) => new()
        {
            Severity = severity,
            Code = code,
            Diagnostics = diagnostics,
            Expression = [expression],
        };

    public static OperationOutcome.IssueComponent Error(OperationOutcome.IssueType code, string diagnostics, string expression) =>
        Issue(OperationOutcome.IssueSeverity.Error, code, diagnostics, expression);
}
