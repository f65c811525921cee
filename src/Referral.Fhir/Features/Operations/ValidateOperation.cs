using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Validation;

namespace Referral.Fhir.Features.Operations;

/// <summary>
/// <c>$validate</c> on every type: <c>POST [type]/$validate</c> (the resource, or a Parameters with <c>resource</c> and
/// <c>profile</c>), <c>POST [type]/[id]/$validate</c> (the body, or the stored resource when there is none) and
/// <c>GET [type]/[id]/$validate</c>. Validates against the profile asked for (<c>profile</c> parameter), else the profiles
/// in meta.profile that the node holds, else only parses. Answers 200 with the OperationOutcome; 400 for an unknown profile.
/// </summary>
public static class ValidateOperation
{
    public static void MapValidate(this IEndpointRouteBuilder fhir)
    {
        fhir.MapPost("/{type}/$validate", (string type, HttpContext context, ResourceStore store, ProfileValidator validator, IOptions<FhirOptions> options, CancellationToken ct) =>
            ValidateAsync(type, null, context, store, validator, options.Value, ct));
        fhir.MapPost("/{type}/{id}/$validate", (string type, string id, HttpContext context, ResourceStore store, ProfileValidator validator, IOptions<FhirOptions> options, CancellationToken ct) =>
            ValidateAsync(type, id, context, store, validator, options.Value, ct));
        fhir.MapGet("/{type}/{id}/$validate", (string type, string id, HttpContext context, ResourceStore store, ProfileValidator validator, IOptions<FhirOptions> options, CancellationToken ct) =>
            ValidateAsync(type, id, context, store, validator, options.Value, ct));
    }

    private static async Task<IResult> ValidateAsync(
        string type, string? id, HttpContext context, ResourceStore store, ProfileValidator validator, FhirOptions options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        store.Access.Demand(FhirInteraction.Operation, type);
        var profileUrl = context.Request.Query["profile"].ToString() is { Length: > 0 } fromQuery ? fromQuery : null;
        Resource? resource = null;
        if (HttpMethods.IsPost(context.Request.Method) && HasBody(context.Request))
        {
            Resource body;
            try
            {
                var bytes = await FhirRequest.ReadBodyAsync(context.Request, options.MaxBodyBytes, ct);
                body = store.Serializer.Parse(bytes, FhirRequest.BodyFormat(context.Request, bytes));
            }
            catch (InvalidResourceException e) when (e.Status == System.Net.HttpStatusCode.BadRequest)
            {
                // Not even base FHIR: that is the validation result, not a failure of the operation.
                return FhirResult.Outcome(StatusCodes.Status200OK, e.ToOperationOutcome());
            }

            resource = body is Parameters parameters && type != "Parameters" ? FromParameters(parameters, ref profileUrl) : body;
            ResourceTypes.RequireMatch(resource, type);
        }

        if (resource is null)
        {
            if (id is null)
            {
                throw new InvalidResourceException($"POST {type}/$validate needs the resource in the body.");
            }

            resource = store.ToResource(await store.ReadAsync(type, id, ct));
        }

        var outcome = new OperationOutcome();
        if (profileUrl is not null)
        {
            var profile = validator.Resources.Find(profileUrl)
                ?? throw new BadRequestException($"Profile '{profileUrl}' is not known to this node.", "profile");
            if (profile.Type != type)
            {
                throw new BadRequestException($"Profile '{profileUrl}' constrains {profile.Type}, not {type}.", "profile");
            }

            outcome.Issue.AddRange(validator.Validate(resource, profile));
        }
        else
        {
            foreach (var profile in validator.ClaimedProfiles(resource))
            {
                outcome.Issue.AddRange(validator.Validate(resource, profile));
            }

            foreach (var unknown in (resource.Meta?.Profile ?? []).Where(p => validator.Resources.Find(p) is null))
            {
                outcome.Issue.Add(ElementCheck.Issue(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational,
                    $"meta.profile '{unknown}' is not known to this node and was not checked.", $"{resource.TypeName}.meta.profile"));
            }
        }

        if (!outcome.Issue.Any(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal or OperationOutcome.IssueSeverity.Warning))
        {
            outcome.Issue.Insert(0, new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Information,
                Code = OperationOutcome.IssueType.Informational,
                Diagnostics = "No issues detected during validation.",
            });
        }

        return FhirResult.Outcome(StatusCodes.Status200OK, outcome);
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false);

    private static Resource FromParameters(Parameters parameters, ref string? profileUrl)
    {
        if (profileUrl is null && parameters.Parameter.FirstOrDefault(p => p.Name == "profile")?.Value is PrimitiveType { } profile)
        {
            profileUrl = profile.ToString();
        }

        return parameters.Parameter.FirstOrDefault(p => p.Name == "resource")?.Resource
            ?? throw new InvalidResourceException("The Parameters body has no 'resource' parameter.", "Parameters.parameter");
    }
}
