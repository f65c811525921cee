using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Referral.Persistence;

/// <summary>
/// <c>Skip</c>/<c>Take</c> whose bounds SQLite gets as literals. EF Core sends them as parameters (<c>LIMIT @p</c>),
/// and SQLite (3.53) compiles a statement again whenever a LIMIT or OFFSET parameter is bound to a new value, as its
/// plan may depend on it: an organisation-scoped search page spent four fifths of its database time compiling. With
/// literals the statement is compiled once per page shape (most searches read the first page of the default size) and
/// then reused. PostgreSQL plans a parameterised LIMIT once, so it keeps the parameters.
/// </summary>
public static class LiteralPaging
{
    private static readonly MethodInfo Constant = typeof(EF).GetMethod(nameof(EF.Constant))!.MakeGenericMethod(typeof(int));

    // Looked up once: a search page is on the hot path.
    private static readonly MethodInfo SkipDefinition = CountOverload(nameof(Queryable.Skip));

    private static readonly MethodInfo TakeDefinition = CountOverload(nameof(Queryable.Take));

    public static IQueryable<T> Page<T>(this IQueryable<T> query, DbContext db, int skip, int take) =>
        db.Database.IsSqlite()
            ? query.Provider.CreateQuery<T>(Call(TakeDefinition, Call(SkipDefinition, query.Expression, skip, typeof(T)), take, typeof(T)))
            : query.Skip(skip).Take(take);

    /// <summary><c>source.Skip(EF.Constant(count))</c> (or Take), which EF inlines as a literal instead of a parameter.</summary>
    private static MethodCallExpression Call(MethodInfo definition, Expression source, int count, Type element) =>
        Expression.Call(definition.MakeGenericMethod(element), source, Expression.Call(Constant, Expression.Constant(count)));

    /// <summary>The <c>Queryable</c> method of that name taking a plain <c>int</c> count (not the index-range overloads).</summary>
    private static MethodInfo CountOverload(string name) =>
        typeof(Queryable).GetMethods().Single(m => m.Name == name && m.GetParameters() is [_, { ParameterType: var p }] && p == typeof(int));
}
