using System.Linq.Expressions;
using Referral.Persistence;
using SearchParamType = Hl7.Fhir.Model.SearchParamType;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Applies <c>_sort</c> in SQL. A multi-valued parameter sorts by its lowest value ascending and its highest
/// descending (a MIN/MAX subquery on the index); resources without a value come last in both directions, and Sid
/// breaks ties so pages are stable.
/// </summary>
internal static class SortBuilder
{
    public static bool CanSort(SearchParamType type) =>
        type is SearchParamType.String or SearchParamType.Token or SearchParamType.Date or SearchParamType.Number or SearchParamType.Quantity or SearchParamType.Uri;

    public static IOrderedQueryable<ResourceEntity> Apply(IQueryable<ResourceEntity> query, FhirDbContext db, SearchScope scope, IReadOnlyList<SortKey> keys)
    {
        IOrderedQueryable<ResourceEntity>? ordered = null;
        foreach (var key in keys)
        {
            ordered = key.Code switch
            {
                "_id" => Then(query, ordered, r => r.ResourceId, key.Descending),
                "_lastUpdated" => Then(query, ordered, r => r.LastUpdatedTicks, key.Descending),
                _ => ByIndex(query, ordered, db, scope, key),
            };
        }

        return Then(query, ordered, r => r.Sid, descending: false);
    }

    private static IOrderedQueryable<ResourceEntity> ByIndex(IQueryable<ResourceEntity> query, IOrderedQueryable<ResourceEntity>? ordered, FhirDbContext db, SearchScope scope, SortKey key)
    {
        var code = key.Parameter!.Code;
        var desc = key.Descending;
        return key.Parameter.Type switch
        {
            SearchParamType.String => ByRows<StringIndexEntity, string>(query, ordered, IndexRows.Of<StringIndexEntity>(db, scope, code), i => i.Normalized, desc),
            SearchParamType.Token => ByRows<TokenIndexEntity, string?>(query, ordered, IndexRows.Of<TokenIndexEntity>(db, scope, code), i => i.Code, desc),
            SearchParamType.Uri => ByRows<UriIndexEntity, string>(query, ordered, IndexRows.Of<UriIndexEntity>(db, scope, code), i => i.Uri, desc),
            SearchParamType.Number => ByRows<NumberIndexEntity, double?>(query, ordered, IndexRows.Of<NumberIndexEntity>(db, scope, code), i => i.Value, desc),
            SearchParamType.Quantity => ByRows<QuantityIndexEntity, double?>(query, ordered, IndexRows.Of<QuantityIndexEntity>(db, scope, code), i => i.Value, desc),
            // Ascending by the earliest start, descending by the latest end: "most recent first" sees the end of a period.
            SearchParamType.Date => desc
                ? ByRows<DateIndexEntity, long?>(query, ordered, IndexRows.Of<DateIndexEntity>(db, scope, code), i => i.End, desc)
                : ByRows<DateIndexEntity, long?>(query, ordered, IndexRows.Of<DateIndexEntity>(db, scope, code), i => i.Start, desc),
            _ => throw new UnsupportedSearchParameterException($"Sorting by '{code}' is not supported."),
        };
    }

    private static IOrderedQueryable<ResourceEntity> ByRows<T, TKey>(IQueryable<ResourceEntity> query, IOrderedQueryable<ResourceEntity>? ordered, IQueryable<T> rows, Expression<Func<T, TKey>> value, bool descending)
        where T : IndexEntity
    {
        // SQLite puts NULLs first and PostgreSQL last; an explicit "has a value" key makes both put them last.
        Expression<Func<ResourceEntity, int>> missingLast = r => rows.Any(i => i.Sid == r.Sid) ? 0 : 1;
        ordered = Then(query, ordered, missingLast, descending: false);

        // Built by hand because the value selector must be quoted into the MIN/MAX call, not captured as a variable.
        var resource = Expression.Parameter(typeof(ResourceEntity), "r");
        var row = Expression.Parameter(typeof(T), "i");
        var correlated = Expression.Lambda<Func<T, bool>>(
            Expression.Equal(Expression.Property(row, nameof(IndexEntity.Sid)), Expression.Property(resource, nameof(ResourceEntity.Sid))), row);
        var ofResource = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(T)], rows.Expression, Expression.Quote(correlated));
        var aggregate = Expression.Call(typeof(Queryable), descending ? nameof(Queryable.Max) : nameof(Queryable.Min), [typeof(T), typeof(TKey)], ofResource, Expression.Quote(value));
        return Then(query, ordered, Expression.Lambda<Func<ResourceEntity, TKey>>(aggregate, resource), descending);
    }

    private static IOrderedQueryable<ResourceEntity> Then<TKey>(IQueryable<ResourceEntity> query, IOrderedQueryable<ResourceEntity>? ordered, Expression<Func<ResourceEntity, TKey>> key, bool descending) =>
        (ordered, descending) switch
        {
            (null, false) => query.OrderBy(key),
            (null, true) => query.OrderByDescending(key),
            (_, false) => ordered.ThenBy(key),
            (_, true) => ordered.ThenByDescending(key),
        };
}
