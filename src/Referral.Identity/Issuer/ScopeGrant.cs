using Referral.Identity.Access;

namespace Referral.Identity.Issuer;

/// <summary>Decides which requested scopes a client gets: only those its registration allows (SMART scopes may be narrower).</summary>
public static class ScopeGrant
{
    /// <summary>The granted scopes, or null with the first scope that may not be granted.</summary>
    public static (IReadOnlyList<string>? Granted, string? Refused) Resolve(IReadOnlyCollection<string> requested, IReadOnlyCollection<string> allowed)
    {
        if (requested.Count == 0)
        {
            return ([.. allowed], null);
        }

        var allowedSmart = allowed.Select(SmartScope.Parse).OfType<SmartScope>().ToList();
        var granted = new List<string>();
        foreach (var scope in requested)
        {
            var ok = allowed.Contains(scope)
                || (SmartScope.Parse(scope) is { } smart && allowedSmart.Any(a => a.Includes(smart)));
            if (!ok)
            {
                return (null, scope);
            }

            granted.Add(scope);
        }

        return (granted, null);
    }
}
