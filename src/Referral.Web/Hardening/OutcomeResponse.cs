using Hl7.Fhir.Model;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;

namespace Referral.Web.Hardening;

/// <summary>Writes a one-issue OperationOutcome for refusals made before a FHIR endpoint runs (throttling, unknown routes).</summary>
internal static class OutcomeResponse
{
    public static System.Threading.Tasks.Task WriteAsync(HttpContext context, int status, OperationOutcome.IssueType code, string message) =>
        FhirResult.Outcome(status, new OperationOutcome { Issue = [FhirException.Issue(code, message, null)] }).ExecuteAsync(context);
}
