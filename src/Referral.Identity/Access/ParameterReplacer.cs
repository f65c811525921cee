using System.Linq.Expressions;

namespace Referral.Identity.Access;

/// <summary>Substitutes an expression for a lambda parameter, to combine filter lambdas into one EF can translate.</summary>
internal sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
{
    protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
}
