using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Referral.Identity.Access;

/// <summary>Who the current flow acts for: the HTTP caller, or the partner the node is doing <see cref="NodeWork"/> for.</summary>
public sealed class CallerContext(IHttpContextAccessor http, IOptions<NodeAuthenticationOptions> options)
{
    private FhirCaller? _caller;

    /// <summary>The authenticated caller of the current request; null for background work.</summary>
    public FhirCaller? RequestCaller => http.HttpContext is { } context ? _caller ??= FhirCaller.From(context.User, options.Value) : null;

    /// <summary>On whose behalf writes happen: the partner during node work, else the request's caller.</summary>
    public FhirCaller? Caller => NodeWork.Current ?? RequestCaller;
}
