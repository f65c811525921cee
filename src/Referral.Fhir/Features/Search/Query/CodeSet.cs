using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Codes a token must be one of: listed (system, code) pairs, or any code of a listed system.</summary>
internal sealed record CodeSet(IReadOnlyList<(string System, string Code)> Concepts, IReadOnlyList<string> Systems)
{
    /// <summary>One IN list per system, so a large value set stays a handful of index seeks rather than one OR term per code.</summary>
    public Expression<Func<TokenIndexEntity, bool>> Matches()
    {
        var perSystem = Concepts.GroupBy(c => c.System, StringComparer.Ordinal).Select(group =>
        {
            var system = group.Key;
            var codes = group.Select(c => c.Code).Distinct(StringComparer.Ordinal).ToList();
            return system.Length == 0
                ? (Expression<Func<TokenIndexEntity, bool>>)(i => i.System == null && codes.Contains(i.Code!))
                : i => i.System == system && codes.Contains(i.Code!);
        });
        var wholeSystems = Systems.ToList();
        Expression<Func<TokenIndexEntity, bool>> anyOfSystems = i => wholeSystems.Contains(i.System!);
        var alternatives = perSystem.ToList();
        if (wholeSystems.Count > 0)
        {
            alternatives.Add(anyOfSystems);
        }

        return alternatives.Count == 0 ? _ => false : PredicateComposition.Or(alternatives);
    }
}
