using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;

namespace Referral.Identity.Tokens;

/// <summary>
/// The authentication schemes, except that a FHIR request offers no scheme the chance to handle it as its own
/// endpoint. The embedded issuer's handler asks that of every request (its endpoints are /connect/… and
/// /.well-known/…, never under /fhir), which cost a FHIR read as much as checking its bearer token.
/// </summary>
public sealed class FhirRequestSchemeProvider(IOptions<AuthenticationOptions> options, IHttpContextAccessor http) : AuthenticationSchemeProvider(options)
{
    public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() =>
        http.HttpContext?.Request.Path.StartsWithSegments(FhirUrls.BasePath) == true
            ? Task.FromResult(Enumerable.Empty<AuthenticationScheme>())
            : base.GetRequestHandlerSchemesAsync();
}
