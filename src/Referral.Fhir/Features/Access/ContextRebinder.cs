using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// Replaces the DbSets a scope captured from one context instance with the same sets of a compiled query's context
/// parameter: a compiled query runs on whichever context it is given.
/// </summary>
internal sealed class ContextRebinder(ParameterExpression context) : ExpressionVisitor
{
    public static MethodCallExpression SetOf(ParameterExpression context, Type entity) =>
        Expression.Call(context, nameof(DbContext.Set), [entity]);

    protected override Expression VisitMember(MemberExpression node) =>
        node.Type.IsGenericType && node.Type.GetGenericTypeDefinition() == typeof(DbSet<>)
            ? SetOf(context, node.Type.GetGenericArguments()[0])
            : base.VisitMember(node);
}
