using Hl7.Fhir.Model;
using Referral.Fhir.Api;

namespace Referral.Identity;

/// <summary>
/// Declares in the CapabilityStatement that the API is protected by SMART on FHIR (OAuth 2.0 bearer tokens), with the
/// embedded issuer's authorize, token and revoke URLs (the oauth-uris extension); an external authority's are in its
/// own discovery document and in <c>/.well-known/smart-configuration</c>.
/// </summary>
public sealed class SmartCapabilities(Uri? embeddedIssuer) : ICapabilityContributor
{
    private const string OAuthUris = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    public void Contribute(CapabilityStatement.RestComponent rest)
    {
        var security = new CapabilityStatement.SecurityComponent
        {
            Cors = true,
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")],
            Description = "OAuth 2.0 bearer tokens (JWT) with SMART v2 scopes; roles and organisation scoping decide what a caller sees. See /.well-known/smart-configuration.",
        };
        if (embeddedIssuer is not null)
        {
            var root = embeddedIssuer.AbsoluteUri.TrimEnd('/');
            var uris = new Extension { Url = OAuthUris };
            uris.Extension.Add(new Extension("authorize", new FhirUri($"{root}/connect/authorize")));
            uris.Extension.Add(new Extension("token", new FhirUri($"{root}/connect/token")));
            uris.Extension.Add(new Extension("revoke", new FhirUri($"{root}/connect/revoke")));
            security.Extension.Add(uris);
        }

        rest.Security = security;
    }
}
