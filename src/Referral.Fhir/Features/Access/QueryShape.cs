using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Query;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// A LINQ query with its request-specific values taken out: each value the query captured (a closure's field, or a
/// field of a constant holder) and each <c>Skip</c>/<c>Take</c> count becomes a parameter, which is what EF Core itself
/// would send as a SQL parameter. Captured queries (an index subquery built beforehand) are inlined and taken apart in
/// turn. Literals written into the tree stay in the shape. Two requests whose shapes are equal differ only in
/// <see cref="Arguments"/>, so one compiled query serves both (<see cref="ScopedSearchPages"/>).
/// </summary>
internal sealed class QueryShape : ExpressionVisitor
{
    private readonly Dictionary<(object Holder, MemberInfo Member), ParameterExpression> _captured = [];
    private readonly List<ParameterExpression> _parameters = [];
    private readonly List<object?> _arguments = [];

    private QueryShape()
    {
    }

    /// <summary>The query with parameters in place of its values.</summary>
    public Expression Body { get; private set; } = null!;

    public IReadOnlyList<ParameterExpression> Parameters => _parameters;

    /// <summary>This query's value of each of <see cref="Parameters"/>.</summary>
    public IReadOnlyList<object?> Arguments => _arguments;

    /// <summary>The context a shape's query runs on: the first parameter of the query compiled from it.</summary>
    public static ParameterExpression Context { get; } = Expression.Parameter(typeof(FhirDbContext), "db");

    public static QueryShape Of(Expression query)
    {
        var shape = new QueryShape();
        shape.Body = shape.Visit(query);
        return shape;
    }

    /// <summary>The sets of the request's context become the same sets of the compiled query's context.</summary>
    protected override Expression VisitExtension(Expression node) =>
        node is EntityQueryRootExpression root ? ContextRebinder.SetOf(Context, root.EntityType.ClrType) : base.VisitExtension(node);

    protected override Expression VisitMember(MemberExpression node)
    {
        if (!TryEvaluate(node, out var holder, out var value))
        {
            return base.VisitMember(node);
        }

        if (value is IQueryable captured)
        {
            return Visit(captured.Expression);
        }

        if (value is FhirDbContext)
        {
            return Context;
        }

        if (!_captured.TryGetValue((holder!, node.Member), out var parameter))
        {
            parameter = Add(node.Type, value);
            _captured[(holder!, node.Member)] = parameter;
        }

        return parameter;
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (node.Method.DeclaringType == typeof(Queryable)
            && node.Method.Name is nameof(Queryable.Skip) or nameof(Queryable.Take)
            && node.Arguments is [var source, ConstantExpression { Type: var countType } count] && countType == typeof(int))
        {
            return node.Update(null, [Visit(source), Add(typeof(int), count.Value)]);
        }

        return base.VisitMethodCall(node);
    }

    private ParameterExpression Add(Type type, object? value)
    {
        var parameter = Expression.Parameter(type, "v" + _parameters.Count);
        _parameters.Add(parameter);
        _arguments.Add(value);
        return parameter;
    }

    /// <summary>A field or property read from a constant object (a closure), possibly through further members.</summary>
    private static bool TryEvaluate(MemberExpression node, out object? holder, out object? value)
    {
        holder = null;
        value = null;
        object? target;
        switch (node.Expression)
        {
            case ConstantExpression { Value: { } constant }:
                target = constant;
                break;
            case MemberExpression inner when TryEvaluate(inner, out _, out var innerValue) && innerValue is not null && innerValue is not IQueryable:
                target = innerValue;
                break;
            default:
                return false;
        }

        switch (node.Member)
        {
            case FieldInfo field:
                value = field.GetValue(target);
                break;
            case PropertyInfo { GetMethod.IsStatic: false } property when property.GetIndexParameters().Length == 0:
                value = property.GetValue(target);
                break;
            default:
                return false;
        }

        holder = target;
        return true;
    }
}
