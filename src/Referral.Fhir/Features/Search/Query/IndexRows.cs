using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// The index subquery every indexed parameter ends in: index rows of this parameter (and type) that satisfy the
/// value, correlated to the resource by Sid, so the database seeks on the (type, param, value) indexes.
/// </summary>
internal static class IndexRows
{
    public static IQueryable<T> Of<T>(FhirDbContext db, SearchScope scope, string param)
        where T : IndexEntity
    {
        var rows = db.Set<T>().AsNoTracking().Where(i => i.Param == param);
        if (scope.ResourceType is { } type)
        {
            rows = rows.Where(i => i.ResourceType == type);
        }

        return rows;
    }

    /// <summary>
    /// Written as <c>Sid IN (SELECT Sid ...)</c> rather than a correlated EXISTS: SQLite then drives the query from the
    /// index seek instead of probing the index once per resource of the type (PostgreSQL plans both as a semi-join).
    /// </summary>
    public static Expression<Func<ResourceEntity, bool>> Exist<T>(IQueryable<T> rows)
        where T : IndexEntity =>
        r => rows.Select(i => i.Sid).Contains(r.Sid);

    /// <summary>Resources with a row of the parameter matching any of the values (comma = OR, in one subquery).</summary>
    public static Expression<Func<ResourceEntity, bool>> MatchAny<T>(ParameterQuery query, Func<string, Expression<Func<T, bool>>> matchValue)
        where T : IndexEntity =>
        Exist(Of<T>(query.Db, query.Scope, query.Parameter.Code).Where(PredicateComposition.Or(query.Values.Select(matchValue))));

    /// <summary><c>:missing=true</c>: no row for the parameter; <c>:missing=false</c>: at least one.</summary>
    public static Expression<Func<ResourceEntity, bool>> Missing<T>(ParameterQuery query)
        where T : IndexEntity
    {
        var value = query.Values.Count == 1 ? query.Values[0].ToLower(CultureInfo.InvariantCulture) : "";
        var exists = Exist(Of<T>(query.Db, query.Scope, query.Parameter.Code));
        return value switch
        {
            "true" => PredicateComposition.Not(exists),
            "false" => exists,
            _ => throw new BadRequestException($"The value of '{query.Name}' must be true or false.", query.Name),
        };
    }
}
