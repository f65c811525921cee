using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Transactions;

namespace Referral.Fhir.Api;

/// <summary><c>POST [base]</c>: transaction and batch Bundles.</summary>
public static class BundleEndpoints
{
    public static void MapBundles(this IEndpointRouteBuilder fhir) =>
        fhir.MapPost("/", async (
            HttpContext context, ResourceStore store, BundleProcessor processor, IEnumerable<IBundleHandler> handlers, IOptions<FhirOptions> options, CancellationToken ct) =>
        {
            var body = await FhirRequest.ReadBodyAsync(context.Request, options.Value.MaxBodyBytes, ct);
            var resource = store.Serializer.Parse(body, FhirRequest.BodyFormat(context.Request, body));
            if (resource is not Bundle bundle)
            {
                throw new InvalidResourceException($"The base URL takes a Bundle; got a {resource.TypeName}.", "resourceType");
            }

            foreach (var handler in handlers)
            {
                if (await handler.TryHandleAsync(bundle, context, ct) is { } handled)
                {
                    return handled;
                }
            }

            var response = await processor.ProcessAsync(bundle, context, ct);
            return new FhirResult(StatusCodes.Status200OK, response);
        });
}
