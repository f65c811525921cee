using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Date search: the prefixes as comparisons of the literal's range (its precision) with the stored [Start, End].</summary>
internal sealed class DateQueryBuilder : IParameterQueryBuilder
{
    public IReadOnlyList<string> Modifiers { get; } = ["missing"];

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier == "missing"
        ? IndexRows.Missing<DateIndexEntity>(query)
        : IndexRows.MatchAny<DateIndexEntity>(query, raw => Match<DateIndexEntity>(raw, query.Name, i => i.Start, i => i.End, query.Now));

    /// <summary>Also used for <c>_lastUpdated</c>, whose target is the single instant in the resource row, and for date components of composites.</summary>
    /// <remarks><c>ap</c> measures its margin from <c>now</c>, the request's time from the injected TimeProvider.</remarks>
    public static Expression<Func<T, bool>> Match<T>(string raw, string name, Expression<Func<T, long>> start, Expression<Func<T, long>> end, DateTime now)
    {
        var (prefix, literal) = SearchPrefixParser.Parse(SearchValueSyntax.Unescape(raw));
        if (!DateRange.TryParse(literal, out var range))
        {
            throw new BadRequestException($"'{raw}' is not a valid date for '{name}'.", name);
        }

        return RangeMatch.Build(start, end, prefix, (range.StartTicks, range.EndTicks), Approximately(range, now.Ticks));
    }

    // "ap" is left to the server; 10% of the distance between the value and now is what the specification suggests.
    private static (long Low, long High) Approximately(DateRange range, long now)
    {
        var margin = Math.Max(Math.Abs(now - range.StartTicks), Math.Abs(now - range.EndTicks)) / 10;
        var low = range.StartTicks - Math.Min(margin, range.StartTicks - DateTime.MinValue.Ticks);
        var high = range.EndTicks + Math.Min(margin, DateTime.MaxValue.Ticks - range.EndTicks);
        return (low, high);
    }
}
