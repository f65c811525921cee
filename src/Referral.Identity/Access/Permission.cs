using Referral.Fhir.Features.Access;

namespace Referral.Identity.Access;

/// <summary>The SMART v2 permission letters (c r u d s), which both roles and scopes grant per resource type.</summary>
[Flags]
public enum Permission
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    Search = 16,
    All = Create | Read | Update | Delete | Search,
}

/// <summary>Parses and prints the letters, and says which one an interaction needs.</summary>
public static class Permissions
{
    private const string Letters = "cruds";

    /// <summary>SMART v2 letters in their fixed order (<c>rs</c>, <c>cruds</c>); null when not such a string.</summary>
    public static Permission? Parse(string letters)
    {
        if (letters.Length == 0)
        {
            return null;
        }

        var result = Permission.None;
        var last = -1;
        foreach (var letter in letters)
        {
            var at = Letters.IndexOf(letter, StringComparison.Ordinal);
            if (at <= last)
            {
                return null;
            }

            last = at;
            result |= (Permission)(1 << at);
        }

        return result;
    }

    public static string Format(Permission permission) =>
        permission == Permission.None ? "none" : string.Concat(Letters.Where((_, i) => permission.HasFlag((Permission)(1 << i))));

    /// <summary>SMART v2: r covers read, vread and instance history; s covers search and type/system history; operations read.</summary>
    public static Permission NeededFor(FhirInteraction interaction) => interaction switch
    {
        FhirInteraction.Create => Permission.Create,
        FhirInteraction.Update => Permission.Update,
        FhirInteraction.Delete => Permission.Delete,
        FhirInteraction.Search or FhirInteraction.History => Permission.Search,
        _ => Permission.Read,
    };
}
