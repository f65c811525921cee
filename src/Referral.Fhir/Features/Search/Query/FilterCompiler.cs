using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Resolves one filter parameter (<c>name[:modifier]</c>, a chain <c>ref[:Type].rest</c> or <c>_has:…</c>) against
/// the registry and hands it to the builder for its search type.
/// </summary>
/// <remarks>"now" is read once per request, so every <c>ap</c> in it measures from the same instant of the injected clock.</remarks>
internal sealed class FilterCompiler(SearchParameterRegistry registry, FhirDbContext db, DateTime now, SeparateHasCriteria? separateHas = null)
{
    private static readonly Dictionary<SearchParamType, IParameterQueryBuilder> Builders = new()
    {
        [SearchParamType.String] = new StringQueryBuilder(),
        [SearchParamType.Token] = new TokenQueryBuilder(),
        [SearchParamType.Date] = new DateQueryBuilder(),
        [SearchParamType.Number] = new NumberQueryBuilder(),
        [SearchParamType.Quantity] = new QuantityQueryBuilder(),
        [SearchParamType.Reference] = new ReferenceQueryBuilder(),
        [SearchParamType.Uri] = new UriQueryBuilder(),
        [SearchParamType.Composite] = new CompositeQueryBuilder(),
    };

    // What system-level search (no type) can answer: columns of the resource row and the meta elements every type indexes.
    private static readonly HashSet<string> SystemParameters = new(StringComparer.Ordinal) { "_id", "_lastUpdated", "_tag", "_profile", "_security" };

    /// <summary>The modifiers served on parameters of a search type, for the CapabilityStatement.</summary>
    public static IReadOnlyList<string> ModifiersOf(SearchParamType type) =>
        Builders.TryGetValue(type, out var builder) ? builder.Modifiers : [];

    public SearchParameterRegistry Registry => registry;

    public FhirDbContext Db => db;

    public DateTime Now => now;

    /// <summary>The <c>_has</c> criteria on separately stored types, resolved in advance.</summary>
    public SeparateHasCriteria SeparateHas { get; } = separateHas ?? SeparateHasCriteria.None;

    /// <exception cref="UnsupportedSearchParameterException">The parameter, modifier or chain is unknown.</exception>
    public Expression<Func<ResourceEntity, bool>> Compile(SearchScope scope, string key, string value)
    {
        if (scope is { IsSystem: true, Types.Count: > 0 } && key != "_type" && !SystemParameters.Contains(SplitModifier(key).Code))
        {
            return PerType(scope.Types, key, value);
        }

        if (key.StartsWith("_has:", StringComparison.Ordinal))
        {
            return HasQueryBuilder.Build(this, scope, key, value);
        }

        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            return ChainQueryBuilder.Build(this, scope, key[..dot], key[(dot + 1)..], value);
        }

        var (code, modifier) = SplitModifier(key);
        var values = SearchValueSyntax.Split(value, ',').Where(v => v.Length > 0).ToArray();
        if (scope.IsSystem && code == "_type" && modifier is null)
        {
            return ResourceColumnQueryBuilder.BuildType(key, values);
        }

        var parameter = Resolve(scope, code);
        if (ResourceColumnQueryBuilder.Handles(code))
        {
            return modifier is null
                ? ResourceColumnQueryBuilder.Build(code, key, values, now)
                : throw new UnsupportedSearchParameterException($"The modifier ':{modifier}' is not supported on '{code}'.");
        }

        if (parameter.Expression is null || !Builders.TryGetValue(parameter.Type, out var builder))
        {
            throw new UnsupportedSearchParameterException($"The search parameter '{code}' is not supported.");
        }

        if (!builder.Supports(modifier))
        {
            throw new UnsupportedSearchParameterException($"The modifier ':{modifier}' is not supported on '{code}'.");
        }

        return builder.Build(new ParameterQuery(db, scope, parameter, modifier, values, key, now));
    }

    /// <summary>
    /// A system-level search limited by <c>_type</c> answers any parameter every listed type has (chains and <c>_has</c>
    /// included), each type through its own definition: the criterion is "of this type and matching it there".
    /// </summary>
    private Expression<Func<ResourceEntity, bool>> PerType(IReadOnlyList<string> types, string key, string value) =>
        PredicateComposition.Or(types.Select(type =>
        {
            var criterion = Compile(SearchScope.ForType(type), key, value);
            return PredicateComposition.And([r => r.ResourceType == type, criterion]);
        }));

    /// <exception cref="UnsupportedSearchParameterException">The type has no such parameter (or system search can't answer it).</exception>
    public SearchParameterInfo Resolve(SearchScope scope, string code)
    {
        if ((scope.IsSystem && !SystemParameters.Contains(code)) || !registry.TryGet(scope.RegistryType, code, out var parameter))
        {
            throw new UnsupportedSearchParameterException(scope.IsSystem
                ? $"The search parameter '{code}' is not supported in a search across all resource types."
                : $"The search parameter '{code}' is not defined for {scope.RegistryType}.");
        }

        return parameter;
    }

    /// <summary>Current (not historic, not deleted) resources of one type, or of every type for system-level search.</summary>
    public IQueryable<ResourceEntity> Current(string? resourceType)
    {
        var resources = db.Resources.AsNoTracking().Where(r => !r.IsHistory && !r.IsDeleted);
        return resourceType is null ? resources : resources.Where(r => r.ResourceType == resourceType);
    }

    public static (string Code, string? Modifier) SplitModifier(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (key, null) : (key[..colon], key[(colon + 1)..]);
    }
}
