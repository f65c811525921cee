using System.Linq.Expressions;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// The FHIR prefix table as comparisons of the target's stored range [low, high] with the query's range, shared by
/// date, number and quantity search (https://hl7.org/fhir/R4/search.html#prefix).
/// </summary>
internal static class RangeMatch
{
    /// <param name="low">Selects the target range's lower bound.</param>
    /// <param name="high">Selects the target range's upper bound.</param>
    /// <param name="prefix">The comparison.</param>
    /// <param name="query">The query value's range (from its precision).</param>
    /// <param name="approximate">The widened range <c>ap</c> matches against.</param>
    public static Expression<Func<T, bool>> Build<T, TValue>(
        Expression<Func<T, TValue>> low,
        Expression<Func<T, TValue>> high,
        SearchPrefix prefix,
        (TValue Low, TValue High) query,
        (TValue Low, TValue High) approximate)
    {
        var parameter = Expression.Parameter(typeof(T), "i");
        var targetLow = PredicateComposition.Inline(low, parameter);
        var targetHigh = PredicateComposition.Inline(high, parameter);
        var queryLow = Bound(query.Low);
        var queryHigh = Bound(query.High);
        Expression Contained() => Expression.AndAlso(Expression.GreaterThanOrEqual(targetLow, queryLow), Expression.LessThanOrEqual(targetHigh, queryHigh));

        var body = prefix switch
        {
            SearchPrefix.Eq => Contained(),
            SearchPrefix.Ne => Expression.OrElse(Expression.LessThan(targetLow, queryLow), Expression.GreaterThan(targetHigh, queryHigh)),
            SearchPrefix.Gt => Expression.GreaterThan(targetHigh, queryHigh),
            SearchPrefix.Lt => Expression.LessThan(targetLow, queryLow),
            SearchPrefix.Ge => Expression.OrElse(Expression.GreaterThan(targetHigh, queryHigh), Contained()),
            SearchPrefix.Le => Expression.OrElse(Expression.LessThan(targetLow, queryLow), Contained()),
            SearchPrefix.Sa => Expression.GreaterThan(targetLow, queryHigh),
            SearchPrefix.Eb => Expression.LessThan(targetHigh, queryLow),
            SearchPrefix.Ap => Expression.AndAlso(
                Expression.LessThanOrEqual(targetLow, Bound(approximate.High)),
                Expression.GreaterThanOrEqual(targetHigh, Bound(approximate.Low))),
            _ => throw new ArgumentOutOfRangeException(nameof(prefix), prefix, null),
        };
        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    // A field of a constant object is what a C# closure compiles to, so EF Core sends it as a SQL parameter rather
    // than inlining a literal into (and multiplying) the cached query plans.
    private static MemberExpression Bound<TValue>(TValue value) =>
        Expression.Field(Expression.Constant(new Box<TValue>(value)), nameof(Box<TValue>.Value));

    private sealed class Box<TValue>(TValue value)
    {
        public readonly TValue Value = value;
    }
}
