using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Search;

namespace Referral.Fhir.Api;

/// <summary>Checks a resource type named in a URL or a body against the R4 types the node stores.</summary>
public static class ResourceTypes
{
    public static bool IsKnown(string type) => SearchParameterRegistry.IsResourceType(type);

    public static void Require(string type)
    {
        if (!IsKnown(type))
        {
            throw new ResourceNotFoundException($"'{(type.Length > 64 ? type[..64] : type)}' is not a FHIR R4 resource type this server supports.");
        }
    }

    /// <summary>The body must be a resource of the type in the URL.</summary>
    public static void RequireMatch(Resource resource, string type)
    {
        if (resource.TypeName != type)
        {
            throw new InvalidResourceException($"The body is a {resource.TypeName} but the URL is for {type}.", "resourceType");
        }
    }
}
