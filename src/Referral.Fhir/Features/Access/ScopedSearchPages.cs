using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// A search's page through EF Core compiled queries, one per read scope (<see cref="IFhirAccessPolicy.ReadScopeKey"/>),
/// resource type and shape of the search. Run as ordinary LINQ, EF walks the whole query on every request to find the
/// values to send as parameters and then hashes it to find its cached SQL; with the organisation filter in it that was
/// about a third of a secured search's CPU. Here only the search's own part is walked, its captured values become the
/// compiled query's arguments (EF would have made them parameters), and the scope joins the query once, when its
/// shape is first compiled, as in <see cref="ScopedReads"/>. What cannot be compiled so runs as ordinary LINQ.
/// </summary>
public static class ScopedSearchPages
{
    /// <summary>Shapes compiled per EF model; beyond this new shapes run as ordinary LINQ.</summary>
    private const int MaxCompiled = 1024;

    /// <summary>EF Core's compiled queries take at most this many arguments after the context.</summary>
    private const int MaxArguments = 15;

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<ShapeKey, PageQuery?>> ByModel = [];

    private static readonly MethodInfo[] CompileAsyncQueryOverloads = typeof(EF).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name == nameof(EF.CompileAsyncQuery) && ReturnsQueryable(m))
        .ToArray();

    /// <summary>
    /// The rows of <paramref name="page"/> built with <paramref name="scope"/> (the caller's read scope, narrowed to
    /// <paramref name="resourceType"/> unless that is null) in the place of its scope argument. <paramref name="scopeKey"/>
    /// names the scope (<see cref="IFhirAccessPolicy.ReadScopeKey"/>; null: compile nothing). <paramref name="page"/> is
    /// called once or twice and must build the same query each time, whatever the scope it is given.
    /// </summary>
    public static async Task<List<ResourceEntity>> ToListAsync(
        FhirDbContext db, string? scopeKey, string? resourceType, Expression<Func<ResourceEntity, bool>>? scope,
        Func<Expression<Func<ResourceEntity, bool>>?, IQueryable<ResourceEntity>> page, CancellationToken ct)
    {
        if (scopeKey is not null)
        {
            var template = page(ScopeSlot);
            var shape = QueryShape.Of(template.Expression);
            if (shape.Arguments.Count <= MaxArguments)
            {
                var compiled = ByModel.GetValue(db.Model, _ => new());
                var key = new ShapeKey(scopeKey, resourceType, shape.Body);
                if (compiled.TryGetValue(key, out var query) || compiled.Count < MaxCompiled)
                {
                    query ??= compiled.GetOrAdd(key, _ => PageQuery.Compile(shape, scope));
                    if (query is not null && await query.ToListAsync(db, shape.Arguments, ct) is { } rows)
                    {
                        return rows;
                    }

                    compiled[key] = null;
                }
            }
        }

        return await page(scope).ToListAsync(ct);
    }

    /// <summary>Marks where the scope goes in a page built for its shape; filled with the scope's own tree before compiling.</summary>
    private static Expression<Func<ResourceEntity, bool>> ScopeSlot { get; } = _ => true;

    private static bool ReturnsQueryable(MethodInfo method)
    {
        var body = method.GetParameters()[0].ParameterType.GetGenericArguments()[0].GetGenericArguments()[^1];
        return body.IsGenericType && body.GetGenericTypeDefinition() == typeof(IQueryable<>);
    }

    /// <summary>The scope key, the type and the search's shape (compared as EF compares queries in its own cache).</summary>
    private sealed record ShapeKey(string ScopeKey, string? ResourceType, Expression Shape)
    {
        public bool Equals(ShapeKey? other) =>
            other is not null && ScopeKey == other.ScopeKey && ResourceType == other.ResourceType
            && ExpressionEqualityComparer.Instance.Equals(Shape, other.Shape);

        public override int GetHashCode() => HashCode.Combine(ScopeKey, ResourceType, ExpressionEqualityComparer.Instance.GetHashCode(Shape));
    }

    /// <summary>One compiled shape, called with the argument values of a request.</summary>
    private sealed class PageQuery(Func<FhirDbContext, object?[], IAsyncEnumerable<ResourceEntity>> run)
    {
        /// <summary>Set once EF has translated the query: it does so on the first execution, not when it is compiled.</summary>
        private volatile bool _translated;

        /// <summary>The rows; null when EF could not translate the shape, which then runs as ordinary LINQ.</summary>
        public async Task<List<ResourceEntity>?> ToListAsync(FhirDbContext db, IReadOnlyList<object?> arguments, CancellationToken ct)
        {
            IAsyncEnumerator<ResourceEntity>? enumerator = null;
            try
            {
                enumerator = run(db, [.. arguments]).GetAsyncEnumerator(ct);
                var rows = new List<ResourceEntity>();
                while (await enumerator.MoveNextAsync())
                {
                    _translated = true;
                    rows.Add(enumerator.Current);
                }

                _translated = true;
                return rows;
            }
            catch (InvalidOperationException) when (!_translated)
            {
                return null;
            }
            finally
            {
                if (enumerator is not null)
                {
                    await enumerator.DisposeAsync();
                }
            }
        }

        /// <summary>Null when EF cannot compile the shape (the shape then always runs as ordinary LINQ).</summary>
        public static PageQuery? Compile(QueryShape shape, Expression<Func<ResourceEntity, bool>>? scope)
        {
            var withScope = new ScopeSlotFiller(scope ?? (_ => true)).Visit(shape.Body);
            var body = new ContextRebinder(QueryShape.Context).Visit(withScope);
            var signature = Expression.GetFuncType([typeof(FhirDbContext), .. shape.Parameters.Select(p => p.Type), typeof(IQueryable<ResourceEntity>)]);
            var lambda = Expression.Lambda(signature, body, [QueryShape.Context, .. shape.Parameters]);
            var overload = CompileAsyncQueryOverloads.SingleOrDefault(m => m.GetGenericArguments().Length == shape.Parameters.Count + 2);
            if (overload is null)
            {
                return null;
            }

            Delegate compiled;
            try
            {
                var generic = overload.MakeGenericMethod([typeof(FhirDbContext), .. shape.Parameters.Select(p => p.Type), typeof(ResourceEntity)]);
                compiled = (Delegate)generic.Invoke(null, [lambda])!;
            }
            catch (TargetInvocationException)
            {
                return null;
            }

            // (db, values) => compiled(db, (T1)values[0], …): the compiled query is typed, the shape's values are not.
            var db = Expression.Parameter(typeof(FhirDbContext), "db");
            var values = Expression.Parameter(typeof(object?[]), "values");
            var call = Expression.Invoke(Expression.Constant(compiled), [db, .. shape.Parameters.Select((p, i) =>
                Expression.Convert(Expression.ArrayIndex(values, Expression.Constant(i)), p.Type))]);
            return new PageQuery(Expression.Lambda<Func<FhirDbContext, object?[], IAsyncEnumerable<ResourceEntity>>>(call, db, values).Compile());
        }
    }

    /// <summary>The slot is the one lambda instance <see cref="Queryable.Where{T}(IQueryable{T}, Expression{Func{T, bool}})"/> quoted into the page.</summary>
    private sealed class ScopeSlotFiller(Expression<Func<ResourceEntity, bool>> scope) : ExpressionVisitor
    {
        protected override Expression VisitUnary(UnaryExpression node) =>
            node.NodeType == ExpressionType.Quote && ReferenceEquals(node.Operand, ScopeSlot) ? Expression.Quote(scope) : base.VisitUnary(node);
    }
}
