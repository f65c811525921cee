using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Turns one parameter of one FHIR search type into a SQL-translatable filter on current resources.</summary>
internal interface IParameterQueryBuilder
{
    /// <summary>The modifiers this type serves, as the CapabilityStatement lists them.</summary>
    IReadOnlyList<string> Modifiers { get; }

    bool Supports(string? modifier) => modifier is null || Modifiers.Contains(modifier, StringComparer.Ordinal);

    Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query);
}
