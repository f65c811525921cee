using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// One part of a composite value as a filter on its component's index rows; the parts meet on (Sid, Group), so they
/// must come from the same element instance.
/// </summary>
internal abstract class ComponentCriterion
{
    /// <summary>Rows of this part that sit in the same instance as the <typeparamref name="TOuter"/> row.</summary>
    public abstract Expression<Func<TOuter, bool>> InSameInstanceAs<TOuter>()
        where TOuter : IndexEntity;

    /// <summary>Resources with a row of this part whose instance also holds a match of every partner.</summary>
    public abstract Expression<Func<ResourceEntity, bool>> With(IEnumerable<ComponentCriterion> partners);

    /// <summary>The criterion for one part, matched the way a plain parameter of the component's type would match it.</summary>
    /// <param name="query">The composite parameter occurrence.</param>
    /// <param name="type">The component's search type.</param>
    /// <param name="rowParam">The Param of the component's rows.</param>
    /// <param name="raw">The part of the value, still escaped.</param>
    public static ComponentCriterion For(ParameterQuery query, SearchParamType type, string rowParam, string raw)
    {
        var (db, scope, name) = (query.Db, query.Scope, query.Name);
        return type switch
        {
            SearchParamType.Token => Of(db, scope, rowParam, TokenQueryBuilder.MatchCode(raw, name)),
            SearchParamType.Quantity => Of(db, scope, rowParam, QuantityQueryBuilder.Match(raw, name)),
            SearchParamType.Date => Of(db, scope, rowParam, DateQueryBuilder.Match<DateIndexEntity>(raw, name, i => i.Start, i => i.End, query.Now)),
            SearchParamType.String => Of(db, scope, rowParam, StringQueryBuilder.StartsWith(db, StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw)))),
            SearchParamType.Reference => Of(db, scope, rowParam, ReferenceQueryBuilder.MatchTarget(SearchValueSyntax.Unescape(raw), null)),
            SearchParamType.Number => Of(db, scope, rowParam, NumberMatch(raw, name)),
            SearchParamType.Uri => Of(db, scope, rowParam, UriMatch(SearchValueSyntax.Unescape(raw))),
            _ => throw new BadRequestException($"'{name}' has a component of type {type}, which composite search does not support.", name),
        };
    }

    private static ComponentCriterion<T> Of<T>(FhirDbContext db, SearchScope scope, string rowParam, Expression<Func<T, bool>> match)
        where T : IndexEntity =>
        new(IndexRows.Of<T>(db, scope, rowParam), match);

    private static Expression<Func<NumberIndexEntity, bool>> NumberMatch(string raw, string name)
    {
        var (prefix, literal) = SearchPrefixParser.Parse(SearchValueSyntax.Unescape(raw));
        return NumberQueryBuilder.Match<NumberIndexEntity>(prefix, literal, name, i => i.Low, i => i.High);
    }

    private static Expression<Func<UriIndexEntity, bool>> UriMatch(string uri) => i => i.Uri == uri;
}

/// <inheritdoc />
internal sealed class ComponentCriterion<T>(IQueryable<T> rows, Expression<Func<T, bool>> match) : ComponentCriterion
    where T : IndexEntity
{
    public override Expression<Func<TOuter, bool>> InSameInstanceAs<TOuter>()
    {
        var matching = rows.Where(match);
        return outer => matching.Any(i => i.Sid == outer.Sid && i.Group == outer.Group);
    }

    public override Expression<Func<ResourceEntity, bool>> With(IEnumerable<ComponentCriterion> partners) =>
        IndexRows.Exist(rows.Where(PredicateComposition.And([match, .. partners.Select(p => p.InSameInstanceAs<T>())])));
}
