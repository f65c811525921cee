using System.Linq.Expressions;

namespace Referral.Identity.Access;

/// <summary>
/// <c>value IN ('a', 'b', …)</c> with the values as literals in the expression tree. EF Core caches the SQL of such a
/// query; a captured collection (a parameter) or <c>EF.Constant</c> (a parameter inlined at execution) makes it
/// generate the SQL again on every request.
/// </summary>
internal static class LiteralIn
{
    public static Expression<Func<string?, bool>> Of(IReadOnlyCollection<string> values)
    {
        var value = Expression.Parameter(typeof(string), "value");
        var literals = Expression.NewArrayInit(typeof(string), values.Select(v => Expression.Constant(v, typeof(string))));
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(string)], literals, value);
        return Expression.Lambda<Func<string?, bool>>(contains, value);
    }
}
