using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Chained search (<c>subject:Patient.name=peter</c>, <c>patient.identifier=x|y</c>, any depth): resources whose
/// reference points at a current target that matches the rest of the chain.
/// </summary>
internal static class ChainQueryBuilder
{
    public static Expression<Func<ResourceEntity, bool>> Build(FilterCompiler compiler, SearchScope scope, string head, string rest, string value)
    {
        var (code, typeModifier, targets) = Targets(compiler, scope, head, rest, value);
        var references = IndexRows.Of<ReferenceIndexEntity>(compiler.Db, scope, code)
            .Where(i => targets.Any(t => t.ResourceType == i.TargetType && t.ResourceId == i.TargetId));
        if (typeModifier is not null)
        {
            references = references.Where(i => i.TargetType == typeModifier);
        }

        return IndexRows.Exist(references);
    }

    /// <summary>
    /// The current resources the chain's reference parameter (<paramref name="head"/>, <c>code[:Type]</c>) may point at
    /// that match the rest of the chain: of the <c>:Type</c> when given, else of every target type that has the chained parameter.
    /// </summary>
    public static (string Code, string? TypeModifier, IQueryable<ResourceEntity> Targets) Targets(
        FilterCompiler compiler, SearchScope scope, string head, string rest, string value)
    {
        if (scope.IsSystem)
        {
            throw new UnsupportedSearchParameterException($"Chained parameters ('{head}.{rest}') need a resource type.");
        }

        var (code, typeModifier) = FilterCompiler.SplitModifier(head);
        var reference = compiler.Resolve(scope, code);
        if (reference.Type != SearchParamType.Reference)
        {
            throw new UnsupportedSearchParameterException($"'{code}' is not a reference parameter, so it cannot be chained.");
        }

        if (typeModifier is not null && (!SearchParameterRegistry.IsResourceType(typeModifier) ||
            (reference.Targets.Count > 0 && !reference.Targets.Contains(typeModifier, StringComparer.Ordinal))))
        {
            throw new UnsupportedSearchParameterException($"'{typeModifier}' is not a target type of '{code}'.");
        }

        // Without a :Type the chain applies to every target type that has the chained parameter.
        var candidates = typeModifier is not null ? [typeModifier] : reference.Targets.Where(SearchParameterRegistry.IsResourceType);
        var perType = new List<Expression<Func<ResourceEntity, bool>>>();
        foreach (var targetType in candidates)
        {
            Expression<Func<ResourceEntity, bool>> criterion;
            try
            {
                criterion = compiler.Compile(SearchScope.ForType(targetType), rest, value);
            }
            catch (UnsupportedSearchParameterException) when (typeModifier is null)
            {
                continue;
            }

            perType.Add(PredicateComposition.And([t => t.ResourceType == targetType, criterion]));
        }

        if (perType.Count == 0)
        {
            throw new UnsupportedSearchParameterException($"No target type of '{code}' supports the chained parameter '{rest}'.");
        }

        return (code, typeModifier, compiler.Current(null).Where(PredicateComposition.Or(perType)));
    }
}
