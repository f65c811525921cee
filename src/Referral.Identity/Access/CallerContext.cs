using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Referral.Identity.Access;

/// <summary>The caller of the current request, or null for the node's own background work (no HTTP request).</summary>
public sealed class CallerContext(IHttpContextAccessor http, IOptions<NodeAuthenticationOptions> options)
{
    private FhirCaller? _caller;

    public FhirCaller? Caller => http.HttpContext is { } context ? _caller ??= FhirCaller.From(context.User, options.Value) : null;
}
