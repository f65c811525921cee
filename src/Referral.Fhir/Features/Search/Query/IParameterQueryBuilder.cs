using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>Turns one parameter of one FHIR search type into a SQL-translatable filter on current resources.</summary>
internal interface IParameterQueryBuilder
{
    bool Supports(string? modifier);

    Expression<Func<ResourceEntity, bool>> Build(ParameterQuery query);
}
