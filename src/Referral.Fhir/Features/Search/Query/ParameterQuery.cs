using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>One search parameter occurrence, resolved against the registry, ready for its type's query builder.</summary>
/// <param name="Db">The store the subqueries run against.</param>
/// <param name="Scope">The resources the criterion applies to.</param>
/// <param name="Parameter">The registry definition.</param>
/// <param name="Modifier">The text after ':' in the name, if any.</param>
/// <param name="Name">The parameter as written (with modifier), for error messages.</param>
/// <param name="Now">The request's current time, read once from the injected TimeProvider (date <c>ap</c>).</param>
/// <param name="Values">The comma-separated alternatives, still escaped (token and quantity values split on <c>|</c> next).</param>
internal sealed record ParameterQuery(
    FhirDbContext Db,
    SearchScope Scope,
    SearchParameterInfo Parameter,
    string? Modifier,
    IReadOnlyList<string> Values,
    string Name,
    DateTime Now);
