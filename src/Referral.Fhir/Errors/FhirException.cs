using System.Net;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Errors;

/// <summary>
/// A failure the client caused or must know about. Mapped in one place (the API exception handler)
/// to an OperationOutcome with <see cref="Status"/>; each issue names the element it is about where there is one.
/// </summary>
public class FhirException : Exception
{
    public FhirException(HttpStatusCode status, OperationOutcome.IssueType code, string message, string? expression = null)
        : this(status, [Issue(code, message, expression)])
    {
    }

    public FhirException(HttpStatusCode status, IReadOnlyList<OperationOutcome.IssueComponent> issues)
        : base(issues.Count > 0 ? issues[0].Diagnostics : "FHIR error")
    {
        Status = status;
        Issues = issues;
    }

    public FhirException()
        : this(HttpStatusCode.InternalServerError, OperationOutcome.IssueType.Exception, "FHIR error")
    {
    }

    public FhirException(string message)
        : this(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, message)
    {
    }

    public FhirException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = HttpStatusCode.BadRequest;
        Issues = [Issue(OperationOutcome.IssueType.Invalid, message, null)];
    }

    public HttpStatusCode Status { get; }

    public IReadOnlyList<OperationOutcome.IssueComponent> Issues { get; }

    public OperationOutcome ToOperationOutcome() => new() { Issue = [.. Issues] };

    public static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueType code, string message, string? expression) => new()
    {
        Severity = OperationOutcome.IssueSeverity.Error,
        Code = code,
        Diagnostics = message,
        // An empty expression is not valid FHIR (strings may not be empty), and clients then cannot read the outcome at all.
        Expression = string.IsNullOrEmpty(expression) ? [] : [expression],
    };
}

/// <summary>400: the request itself is malformed (a search value that does not parse, an unknown parameter under strict handling).</summary>
public sealed class BadRequestException(string message, string? expression = null)
    : FhirException(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, message, expression);

/// <summary>400 or 422: the resource in the body is not valid FHIR or breaks a rule.</summary>
public sealed class InvalidResourceException : FhirException
{
    public InvalidResourceException(string message, string? expression = null, HttpStatusCode status = HttpStatusCode.BadRequest)
        : base(status, OperationOutcome.IssueType.Invalid, message, expression)
    {
    }

    public InvalidResourceException(IReadOnlyList<OperationOutcome.IssueComponent> issues, HttpStatusCode status = HttpStatusCode.BadRequest)
        : base(status, issues)
    {
    }
}

/// <summary>404: no such resource (or one the caller may not know exists).</summary>
public sealed class ResourceNotFoundException(string message)
    : FhirException(HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound, message);

/// <summary>410: the resource was deleted.</summary>
public sealed class ResourceGoneException(string message)
    : FhirException(HttpStatusCode.Gone, OperationOutcome.IssueType.Deleted, message);

/// <summary>412: an If-Match version or a conditional operation's precondition did not hold.</summary>
public sealed class PreconditionFailedException(string message, string? expression = null)
    : FhirException(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.Conflict, message, expression);

/// <summary>409: the change conflicts with the current state (a concurrent write, an illegal transition).</summary>
public sealed class ConflictException(string message, string? expression = null)
    : FhirException(HttpStatusCode.Conflict, OperationOutcome.IssueType.Conflict, message, expression);

/// <summary>415: a body in a format the node does not read.</summary>
public sealed class UnsupportedMediaTypeException(string message)
    : FhirException(HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, message);

/// <summary>413: a body over the configured limit.</summary>
public sealed class PayloadTooLargeException(string message)
    : FhirException(HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooCostly, message);

/// <summary>403: the caller is known but its role or scopes do not allow the interaction.</summary>
public sealed class ForbiddenException(string message)
    : FhirException(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, message);

/// <summary>405: the interaction is never allowed on this resource type through the API (e.g. changing an AuditEvent).</summary>
public sealed class MethodNotAllowedException(string message, string? expression = null)
    : FhirException(HttpStatusCode.MethodNotAllowed, OperationOutcome.IssueType.NotSupported, message, expression);

/// <summary>422: the request is well-formed but breaks a business rule (no sharing consent, an illegal transition).</summary>
public sealed class BusinessRuleException(string message, string? expression = null)
    : FhirException(HttpStatusCode.UnprocessableEntity, OperationOutcome.IssueType.BusinessRule, message, expression);
