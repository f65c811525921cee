using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// A read scope narrowed to one resource type: every test of the scoped row's own <see cref="ResourceEntity.ResourceType"/>
/// is decided, and the branches it rules out are dropped. The organisation filter has a branch for patients and one for
/// everything else; PostgreSQL sets up the executor nodes of both on every execution, even of a prepared statement, so a read of a known type
/// sends only its own. Conditions on other rows (the subqueries' own ResourceType tests) are left as they are.
/// </summary>
public static class TypeSpecificScope
{
    /// <summary>
    /// Remembered per scope instance (scopes are themselves kept per pooled context and caller key), so a search pays for
    /// the rewrite once, and EF sees the same tree again and finds its cached SQL.
    /// </summary>
    private static readonly ConditionalWeakTable<Expression<Func<ResourceEntity, bool>>, ConcurrentDictionary<string, Expression<Func<ResourceEntity, bool>>>> Narrowed = [];

    /// <summary><paramref name="scope"/> for rows of <paramref name="resourceType"/> only; null (no restriction) stays null.</summary>
    [return: NotNullIfNotNull(nameof(scope))]
    public static Expression<Func<ResourceEntity, bool>>? For(Expression<Func<ResourceEntity, bool>>? scope, string resourceType) =>
        scope is null ? null : Narrowed.GetValue(scope, _ => new(StringComparer.Ordinal)).GetOrAdd(resourceType, type =>
            (Expression<Func<ResourceEntity, bool>>)new Specializer(scope.Parameters[0], Expression.Constant(type, typeof(string))).Visit(scope));

    private sealed class Specializer(ParameterExpression row, ConstantExpression resourceType) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == row && node.Member.Name == nameof(ResourceEntity.ResourceType) ? resourceType : base.VisitMember(node);

        protected override Expression VisitBinary(BinaryExpression node)
        {
            var left = Visit(node.Left);
            var right = Visit(node.Right);
            return (node.NodeType, Decided(left), Decided(right)) switch
            {
                (ExpressionType.Equal, _, _) when left is ConstantExpression a && right is ConstantExpression b && a.Type == typeof(string) && b.Type == typeof(string)
                    => Expression.Constant(string.Equals((string?)a.Value, (string?)b.Value, StringComparison.Ordinal)),
                (ExpressionType.NotEqual, _, _) when left is ConstantExpression a && right is ConstantExpression b && a.Type == typeof(string) && b.Type == typeof(string)
                    => Expression.Constant(!string.Equals((string?)a.Value, (string?)b.Value, StringComparison.Ordinal)),
                (ExpressionType.AndAlso, false, _) or (ExpressionType.AndAlso, _, false) => Expression.Constant(false),
                (ExpressionType.AndAlso, true, _) => right,
                (ExpressionType.AndAlso, _, true) => left,
                (ExpressionType.OrElse, true, _) or (ExpressionType.OrElse, _, true) => Expression.Constant(true),
                (ExpressionType.OrElse, false, _) => right,
                (ExpressionType.OrElse, _, false) => left,
                _ => node.Update(left, node.Conversion, right),
            };
        }

        protected override Expression VisitUnary(UnaryExpression node)
        {
            var operand = Visit(node.Operand);
            return node.NodeType == ExpressionType.Not && Decided(operand) is { } value ? Expression.Constant(!value) : node.Update(operand);
        }

        protected override Expression VisitConditional(ConditionalExpression node)
        {
            var test = Visit(node.Test);
            return Decided(test) switch
            {
                true => Visit(node.IfTrue),
                false => Visit(node.IfFalse),
                null => node.Update(test, Visit(node.IfTrue), Visit(node.IfFalse)),
            };
        }

        /// <summary>A type list (<c>new[] { … }.Contains(type)</c>) asked about the now known type is decided as well.</summary>
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var visited = base.VisitMethodCall(node);
            return visited is MethodCallExpression { Method.Name: nameof(Enumerable.Contains), Arguments: [NewArrayExpression list, ConstantExpression { Value: string value }] }
                && visited.Type == typeof(bool)
                && list.Expressions.All(e => e is ConstantExpression)
                    ? Expression.Constant(list.Expressions.Any(e => string.Equals((string?)((ConstantExpression)e).Value, value, StringComparison.Ordinal)))
                    : visited;
        }

        private static bool? Decided(Expression e) => e is ConstantExpression { Value: bool value } ? value : null;
    }
}
