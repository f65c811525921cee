using System.Linq.Expressions;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Combines predicates into one lambda by rebinding their parameters, because EF Core translates a single lambda
/// body to SQL but not an invocation of another lambda.
/// </summary>
internal static class PredicateComposition
{
    public static Expression<Func<T, bool>> Or<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        Combine(predicates, Expression.OrElse);

    public static Expression<Func<T, bool>> And<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        Combine(predicates, Expression.AndAlso);

    public static Expression<Func<T, bool>> Not<T>(Expression<Func<T, bool>> predicate) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(predicate.Body), predicate.Parameters);

    /// <summary>Substitutes <paramref name="lambda"/>'s parameter with <paramref name="argument"/> and returns the body.</summary>
    public static Expression Inline(LambdaExpression lambda, Expression argument) =>
        new ParameterReplacer(lambda.Parameters[0], argument).Visit(lambda.Body);

    private static Expression<Func<T, bool>> Combine<T>(IEnumerable<Expression<Func<T, bool>>> predicates, Func<Expression, Expression, BinaryExpression> combine)
    {
        var parameter = Expression.Parameter(typeof(T), "r");
        Expression? body = null;
        foreach (var predicate in predicates)
        {
            var inlined = Inline(predicate, parameter);
            body = body is null ? inlined : combine(body, inlined);
        }

        return Expression.Lambda<Func<T, bool>>(body ?? Expression.Constant(true), parameter);
    }

    private sealed class ParameterReplacer(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
