using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>String search: starts-with on the case/accent-folded value, <c>:exact</c>, <c>:contains</c>, <c>:missing</c>.</summary>
internal sealed class StringQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["exact", "contains", "missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<StringIndexEntity>(query),
        "exact" => IndexRows.MatchAny<StringIndexEntity>(query, raw =>
        {
            var exact = StringNormalizer.Truncate(SearchValueSyntax.Unescape(raw));
            return i => i.Exact == exact;
        }),
        "contains" => IndexRows.MatchAny<StringIndexEntity>(query, raw =>
        {
            var normalized = StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw));
            return i => i.Normalized.Contains(normalized);
        }),
        _ => IndexRows.MatchAny<StringIndexEntity>(query, raw => StartsWith(query.Db, StringNormalizer.Normalize(SearchValueSyntax.Unescape(raw)))),
    };

    /// <summary>The default string match of one (normalized) value; also a string component of a composite.</summary>
    public static Expression<Func<StringIndexEntity, bool>> StartsWith(FhirDbContext db, string prefix)
    {
        if (!db.Database.IsSqlite())
        {
            return i => i.Normalized.StartsWith(prefix);
        }

        // SQLite translates StartsWith to LIKE/substr, which cannot use the (binary-collated) index; the range
        // [prefix, prefix + U+10FFFF) can, and the StartsWith re-check keeps the match exact.
        var upper = prefix + char.ConvertFromUtf32(0x10FFFF);
        return i => string.Compare(i.Normalized, prefix) >= 0 && string.Compare(i.Normalized, upper) < 0 && i.Normalized.StartsWith(prefix);
    }
}
