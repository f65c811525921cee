using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Referral.Fhir.Errors;

namespace Referral.Fhir.Api;

/// <summary>
/// The one place exceptions become HTTP responses: a <see cref="FhirException"/> becomes its OperationOutcome and
/// status; anything else is logged and answered with a 500 that reveals nothing internal.
/// </summary>
public sealed class FhirExceptionHandler(ILogger<FhirExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, outcome) = exception switch
        {
            FhirException fhir => ((int)fhir.Status, fhir.ToOperationOutcome()),
            BadHttpRequestException bad => (bad.StatusCode, Single(
                bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? OperationOutcome.IssueType.TooCostly : OperationOutcome.IssueType.Invalid,
                bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is over the size limit." : "The request could not be read.")),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, Single(OperationOutcome.IssueType.Incomplete, "The request was cancelled.")),
            _ => (StatusCodes.Status500InternalServerError, Single(OperationOutcome.IssueType.Exception, "The server failed to process the request. The error was logged.")),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error processing {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            logger.LogDebug("Request refused with {Status}: {Message}", status, exception.Message);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Clear();
        await FhirResult.Outcome(status, outcome).ExecuteAsync(httpContext);
        return true;
    }

    private static OperationOutcome Single(OperationOutcome.IssueType code, string message) =>
        new() { Issue = [FhirException.Issue(code, message, null)] };
}
