using Referral.Fhir.Api;

namespace Referral.Identity.Access;

/// <summary>
/// One SMART on FHIR resource scope (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
/// <c>context/type.permissions</c> with context patient, user or system, type a resource type or <c>*</c>, and
/// v2 letters (<c>cruds</c>) or v1 <c>read</c>/<c>write</c>/<c>*</c>.
/// </summary>
public sealed record SmartScope(SmartScope.Context Kind, string ResourceType, Permission Permissions)
{
    public enum Context
    {
        Patient,
        User,
        System,
    }

    public const string AnyType = "*";

    /// <summary>Null for scopes that are not resource scopes (openid, fhirUser, launch/patient …) or do not parse.</summary>
    public static SmartScope? Parse(string scope)
    {
        var slash = scope.IndexOf('/', StringComparison.Ordinal);
        var dot = scope.LastIndexOf('.');
        if (slash <= 0 || dot <= slash + 1)
        {
            return null;
        }

        Context? kind = scope[..slash] switch
        {
            "patient" => Context.Patient,
            "user" => Context.User,
            "system" => Context.System,
            _ => null,
        };
        var type = scope[(slash + 1)..dot];
        // v2 may add search-style constraints after '?' (e.g. category=...); they narrow further than we enforce, so refuse them rather than widen.
        var letters = scope[(dot + 1)..];
        if (kind is null || letters.Contains('?', StringComparison.Ordinal) || (type != AnyType && !ResourceTypes.IsKnown(type)))
        {
            return null;
        }

        Permission? permissions = letters switch
        {
            "read" => Permission.Read | Permission.Search,
            "write" => Permission.Create | Permission.Update | Permission.Delete,
            "*" => Permission.All,
            _ => Access.Permissions.Parse(letters),
        };
        return permissions is { } granted ? new SmartScope(kind.Value, type, granted) : null;
    }

    public bool Covers(string resourceType) => ResourceType == AnyType || ResourceType == resourceType;

    /// <summary>Whether this scope allows at least everything <paramref name="requested"/> asks for (used to cap what a client may be granted).</summary>
    public bool Includes(SmartScope requested) =>
        requested.Kind == Kind && (ResourceType == AnyType || ResourceType == requested.ResourceType) && (requested.Permissions & ~Permissions) == 0;

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}/{ResourceType}.{Access.Permissions.Format(Permissions)}";
}
