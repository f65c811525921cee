using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Reverse chaining, <c>_has:Observation:patient:code=1234-5</c> (nestable): resources that some current resource of
/// the named type references through the named parameter, where that resource matches the rest.
/// </summary>
internal static class HasQueryBuilder
{
    public static Expression<Func<ResourceEntity, bool>> Build(FilterCompiler compiler, SearchScope scope, string key, string value)
    {
        var parts = key.Split(':', 4);
        if (scope.IsSystem || parts.Length != 4 || parts[3].Length == 0)
        {
            throw new UnsupportedSearchParameterException($"'{key}' is not a supported _has parameter: expected _has:Type:reference:parameter.");
        }

        var (sourceType, code, rest) = (parts[1], parts[2], parts[3]);
        if (!SearchParameterRegistry.IsResourceType(sourceType))
        {
            throw new UnsupportedSearchParameterException($"'{sourceType}' in '{key}' is not a resource type.");
        }

        var sourceScope = SearchScope.ForType(sourceType);
        if (compiler.Resolve(sourceScope, code).Type != SearchParamType.Reference)
        {
            throw new UnsupportedSearchParameterException($"'{code}' in '{key}' is not a reference parameter of {sourceType}.");
        }

        if (compiler.SeparateHas.IsSeparate(sourceType))
        {
            return Separate(compiler.SeparateHas.Resolved(key, value), scope, key, sourceType);
        }

        var sources = compiler.Current(sourceType).Where(compiler.Compile(sourceScope, rest, value));
        var references = IndexRows.Of<ReferenceIndexEntity>(compiler.Db, sourceScope, code)
            .Where(i => sources.Any(s => s.Sid == i.Sid));
        return r => references.Any(i => i.TargetType == r.ResourceType && i.TargetId == r.ResourceId);
    }

    /// <summary>A separately stored source type: the references its matches hold were resolved before (<see cref="SeparateHasCriteria"/>).</summary>
    private static Expression<Func<ResourceEntity, bool>> Separate(SeparateHasCriteria.Resolution? resolution, SearchScope scope, string key, string sourceType)
    {
        if (resolution?.References is not { } references)
        {
            throw new UnsupportedSearchParameterException(resolution?.Unsupported
                ?? $"'{key}': {sourceType} is stored apart from the other types, so _has on it works only as a parameter of its own, not inside a chain or another _has.");
        }

        var type = scope.ResourceType!;
        var prefix = type + "/";
        var ids = references.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r[prefix.Length..]).ToList();
        return r => r.ResourceType == type && ids.Contains(r.ResourceId);
    }
}
