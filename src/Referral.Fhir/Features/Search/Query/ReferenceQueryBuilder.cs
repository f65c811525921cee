using System.Linq.Expressions;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Reference search: <c>id</c>, <c>Type/id</c>, an absolute URL, the <c>:Type</c> modifier, <c>:identifier</c> and
/// <c>:missing</c>. Chains (<c>subject.name</c>) are <see cref="ChainQueryBuilder"/>'s.
/// </summary>
internal sealed class ReferenceQueryBuilder : IParameterQueryBuilder
{
    // "[type]" stands for the resource-type modifiers (:Patient, …), as the specification writes them.
    public IReadOnlyList<string> Modifiers { get; } = ["identifier", "missing", "[type]"];

    public bool Supports(string? modifier) => modifier is null or "identifier" or "missing" || SearchParameterRegistry.IsResourceType(modifier);

    public Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query) => query.Modifier switch
    {
        "missing" => IndexRows.Missing<ReferenceIndexEntity>(query),
        "identifier" => IndexRows.MatchAny<ReferenceIndexEntity>(query, raw => MatchIdentifier(raw, query.Name)),
        _ => IndexRows.MatchAny<ReferenceIndexEntity>(query, raw => MatchTarget(SearchValueSyntax.Unescape(raw), query.Modifier)),
    };

    /// <summary>One reference value; also a reference component of a composite.</summary>
    public static Expression<Func<ReferenceIndexEntity, bool>> MatchTarget(string value, string? typeModifier)
    {
        if (value.Contains("://", StringComparison.Ordinal) || value.StartsWith("urn:", StringComparison.Ordinal))
        {
            Expression<Func<ReferenceIndexEntity, bool>> byUrl = i => i.Url == value;
            return ReferenceLiteral.TryParse(value, out var literal) && literal.TargetType is { } urlType && literal.TargetId is { } urlId
                   && (typeModifier is null || typeModifier == urlType)
                ? PredicateComposition.Or([byUrl, i => i.TargetType == urlType && i.TargetId == urlId])
                : byUrl;
        }

        var relative = StripHistory(value);
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        var type = slash > 0 ? relative[..slash] : typeModifier;
        var id = slash > 0 ? relative[(slash + 1)..] : relative;
        if (typeModifier is not null && type != typeModifier)
        {
            return _ => false;
        }

        return type is null ? i => i.TargetId == id : i => i.TargetType == type && i.TargetId == id;
    }

    private static Expression<Func<ReferenceIndexEntity, bool>> MatchIdentifier(string raw, string name)
    {
        var parts = SearchValueSyntax.SplitPipes(raw);
        switch (parts.Count)
        {
            case 1:
                var only = parts[0];
                return i => i.IdentifierValue == only;
            case 2 when parts[0].Length == 0:
                var unsystematic = parts[1];
                return i => (i.IdentifierSystem == null || i.IdentifierSystem == "") && i.IdentifierValue == unsystematic;
            case 2 when parts[1].Length == 0:
                var systemOnly = parts[0];
                return i => i.IdentifierSystem == systemOnly;
            case 2:
                var (system, value) = (parts[0], parts[1]);
                return i => i.IdentifierSystem == system && i.IdentifierValue == value;
            default:
                throw new BadRequestException($"'{raw}' is not a valid identifier for '{name}': expected [system]|[value].", name);
        }
    }

    private static string StripHistory(string reference)
    {
        var history = reference.IndexOf("/_history/", StringComparison.Ordinal);
        return history >= 0 ? reference[..history] : reference;
    }
}
