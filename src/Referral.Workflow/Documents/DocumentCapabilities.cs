using Hl7.Fhir.Model;
using Referral.Fhir.Api;

namespace Referral.Workflow.Documents;

/// <summary>Lists the document operations in the CapabilityStatement, with their definitions in <c>fhir-profiles/OperationDefinition</c>.</summary>
public sealed class DocumentCapabilities : ICapabilityContributor
{
    public const string ReferralLetterDefinition = ReferralCodes.Base + "/OperationDefinition/referral-letter";
    public const string RenderPdfDefinition = ReferralCodes.Base + "/OperationDefinition/render-pdf";

    public void Contribute(CapabilityStatement.RestComponent rest)
    {
        Add(rest, "ServiceRequest", "referral-letter", ReferralLetterDefinition);
        Add(rest, "Composition", "render-pdf", RenderPdfDefinition);
    }

    private static void Add(CapabilityStatement.RestComponent rest, string type, string name, string definition)
    {
        if (rest.Resource.FirstOrDefault(r => r.Type == type) is { } component)
        {
            component.Operation.Add(new CapabilityStatement.OperationComponent { Name = name, Definition = definition });
        }
    }
}
