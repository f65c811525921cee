using Hl7.Fhir.Model;
using Referral.Fhir.Api;

namespace Referral.Web.Hardening;

/// <summary>
/// Gives FHIR error responses that left without a body (an unknown route's 404, a wrong method's 405, a challenge's
/// 401) the OperationOutcome FHIR clients expect, so no error under <c>/fhir</c> is bare.
/// </summary>
public sealed class EmptyErrorOutcomeMiddleware(RequestDelegate next)
{
    public async System.Threading.Tasks.Task InvokeAsync(HttpContext context)
    {
        await next(context);

        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType)
            || !context.Request.Path.StartsWithSegments(FhirUrls.BasePath))
        {
            return;
        }

        var (code, message) = response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => (OperationOutcome.IssueType.Login, "Authentication is required."),
            StatusCodes.Status403Forbidden => (OperationOutcome.IssueType.Forbidden, "The client may not perform this interaction."),
            StatusCodes.Status404NotFound => (OperationOutcome.IssueType.NotFound, "No FHIR interaction is served at this URL."),
            StatusCodes.Status405MethodNotAllowed => (OperationOutcome.IssueType.NotSupported, "This HTTP method is not supported at this URL."),
            StatusCodes.Status429TooManyRequests => (OperationOutcome.IssueType.Throttled, "Too many requests."),
            >= 500 => (OperationOutcome.IssueType.Exception, "The server failed to process the request."),
            _ => (OperationOutcome.IssueType.Invalid, "The request was refused."),
        };
        await OutcomeResponse.WriteAsync(context, response.StatusCode, code, message);
    }
}
