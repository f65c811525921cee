using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Runs FHIR R4 searches (https://hl7.org/fhir/R4/search.html) as SQL over the index tables: each parameter is an
/// EXISTS subquery on its index, repeated parameters AND, comma-separated values OR.
/// </summary>
/// <remarks>"Now" for date <c>ap</c> comes from the injected clock; the system clock when none is given.</remarks>
public sealed class SearchService(SearchParameterRegistry registry, FhirOptions? options = null, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly int _defaultCount = options?.DefaultPageSize ?? new FhirOptions().DefaultPageSize;
    private readonly int _maxCount = options?.MaxPageSize ?? new FhirOptions().MaxPageSize;

    /// <summary>
    /// Searches <paramref name="resourceType"/> (all types when null or empty) with the raw query (GET query string or
    /// POST _search form, in order, repeated keys allowed). <paramref name="strict"/> is Prefer: handling=strict, under
    /// which unknown or unsupported parameters are a 400 rather than skipped and listed. Matches, counts and included
    /// resources are limited to what <paramref name="access"/> lets the caller see (everything when null).
    /// <paramref name="separateStores"/> are the types kept outside the store, reached by <c>_type</c>, <c>_has</c> and
    /// <c>_revinclude</c> (none when null).
    /// </summary>
    public async Task<SearchResult> SearchAsync(
        FhirDbContext db, string? resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, CancellationToken ct,
        IFhirAccessPolicy? access = null, IReadOnlyCollection<ISeparateResourceStore>? separateStores = null)
    {
        access ??= UnrestrictedAccessPolicy.Instance;
        separateStores ??= [];
        access.Demand(FhirInteraction.Search, string.IsNullOrEmpty(resourceType) ? null : resourceType);
        if (string.IsNullOrEmpty(resourceType))
        {
            if (SeparateTypeSearch.Target(parameters, separateStores, access) is { } separate)
            {
                return await SeparateTypeSearch.SearchAsync(separate, parameters, strict, ct);
            }

            if (SystemSearchAcrossStores.Joining(parameters, separateStores, access) is { Count: > 0 } joining)
            {
                return await SystemSearchAcrossStores.SearchAsync(
                    store => SearchStoreAsync(db, null, store, strict, access, separateStores, ct),
                    (store, take) => StoreTicksAsync(db, store, take, strict, access, separateStores, ct),
                    parameters, joining, ct);
            }
        }

        return await SearchStoreAsync(db, resourceType, parameters, strict, access, separateStores, ct);
    }

    /// <summary>The search within the FHIR store alone (with what separately stored types' <c>_has</c> and <c>_revinclude</c> add).</summary>
    private async Task<SearchResult> SearchStoreAsync(
        FhirDbContext db, string? resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, IFhirAccessPolicy access,
        IReadOnlyCollection<ISeparateResourceStore> separateStores, CancellationToken ct)
    {
        var (request, filtered, scope, visible, searchedType) = await PrepareAsync(db, resourceType, parameters, strict, access, separateStores, ct);
        var matching = filtered.Within(visible);

        var wantsTotal = request.Total != TotalMode.None || request.Summary == "count";
        int? total;
        List<ResourceEntity> page = [];
        bool hasMore;
        if (request.TotalOnly)
        {
            total = wantsTotal ? await matching.CountAsync(ct) : null;
            hasMore = total is { } known ? known > request.Offset : await matching.Skip(request.Offset).AnyAsync(ct);
        }
        else
        {
            // One row past the page tells whether there is a next page without a second query.
            var rows = await ScopedSearchPages.ToListAsync(db, access.ReadScopeKey, searchedType, visible,
                within => SortBuilder.Apply(filtered.Within(within), db, request.Scope, request.Sort).Skip(request.Offset).Take(request.Count + 1),
                ct);
            hasMore = rows.Count > request.Count;
            page = hasMore ? rows[..request.Count] : rows;

            // The last page already tells the total (the common one-page search): count only when there is more,
            // or when the offset ran past the end and the page says nothing.
            var pageTellsTotal = !hasMore && (rows.Count > 0 || request.Offset == 0);
            total = !wantsTotal ? null : pageTellsTotal ? request.Offset + page.Count : await matching.CountAsync(ct);
        }

        var storeIncludes = request.Includes.Where(i => !SeparateRevIncludes.Handles(i, separateStores)).ToList();
        var included = await IncludeLoader.LoadAsync(db, page, storeIncludes, scope, ct);
        if (storeIncludes.Count < request.Includes.Count)
        {
            included = [.. included, .. await SeparateRevIncludes.LoadAsync(page, included, request.Includes, separateStores, access, ct)];
        }

        return new SearchResult(page, included, total, request.Offset, request.Count, hasMore, request.Applied, request.Ignored, request.Summary, request.Elements);
    }

    /// <summary>
    /// The last-updated ticks of the first <paramref name="take"/> matches of a system-level search within the FHIR
    /// store, in its sort order (paging parameters do not apply): what <see cref="SystemSearchAcrossStores"/> merges by.
    /// </summary>
    private async Task<IReadOnlyList<long>> StoreTicksAsync(
        FhirDbContext db, IReadOnlyList<KeyValuePair<string, string>> parameters, int take, bool strict, IFhirAccessPolicy access,
        IReadOnlyCollection<ISeparateResourceStore> separateStores, CancellationToken ct)
    {
        var (request, filtered, _, visible, _) = await PrepareAsync(db, null, parameters, strict, access, separateStores, ct);
        return await SortBuilder.Apply(filtered.Within(visible), db, request.Scope, request.Sort).Select(r => r.LastUpdatedTicks).Take(take).ToListAsync(ct);
    }

    /// <summary>
    /// The parsed request, its filtered resources, the caller's read scope and that scope narrowed to the searched type
    /// (<paramref name="resourceType"/>, or none at system level).
    /// </summary>
    private async Task<(SearchRequest Request, IQueryable<ResourceEntity> Filtered, Expression<Func<ResourceEntity, bool>>? Scope, Expression<Func<ResourceEntity, bool>>? Visible, string? SearchedType)> PrepareAsync(
        FhirDbContext db, string? resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, IFhirAccessPolicy access,
        IReadOnlyCollection<ISeparateResourceStore> separateStores, CancellationToken ct)
    {
        var separateHas = await SeparateHasCriteria.ResolveAsync(parameters, separateStores, access, strict, ct);
        var compiler = new FilterCompiler(registry, db, _clock.GetUtcNow().UtcDateTime, separateHas);
        var request = new SearchRequestParser(compiler, strict, _defaultCount, _maxCount).Parse(ScopeOf(resourceType), parameters, filtersOnly: false);
        var scope = access.ReadScope(db);
        var searchedType = string.IsNullOrEmpty(request.Scope.ResourceType) ? null : request.Scope.ResourceType;
        var visible = searchedType is null ? scope : TypeSpecificScope.For(scope, searchedType);
        return (request, Filter(compiler, request), scope, visible, searchedType);
    }

    /// <summary>
    /// The current resources a conditional create/update/delete refers to, among those the caller may see; unknown
    /// parameters are a 400, since ignoring one would widen the match.
    /// </summary>
    public async Task<IReadOnlyList<ResourceEntity>> MatchAsync(
        FhirDbContext db, string resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, int limit, CancellationToken ct, IFhirAccessPolicy? access = null)
    {
        access ??= UnrestrictedAccessPolicy.Instance;
        var compiler = new FilterCompiler(registry, db, _clock.GetUtcNow().UtcDateTime);
        var request = new SearchRequestParser(compiler, strict: true, _defaultCount, _maxCount).Parse(ScopeOf(resourceType), parameters, filtersOnly: true);
        return await Filter(compiler, request).Within(access.ReadScope(db)).OrderBy(r => r.Sid).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// What a chained parameter of <paramref name="resourceType"/> (<c>patient.identifier=…</c>,
    /// <c>entity:Patient.family=…</c>) points at: the current targets (<c>Type/id</c>) matching the rest of the chain,
    /// among those the caller may see; at most <paramref name="limit"/> + 1. For a type kept outside the store (the
    /// audit trail), whose rows cannot join the store's index tables in SQL.
    /// </summary>
    /// <exception cref="UnsupportedSearchParameterException">The key is no chain, or names what the type cannot chain.</exception>
    public async Task<IReadOnlyList<string>> ChainTargetsAsync(
        FhirDbContext db, string resourceType, string key, string value, int limit, IFhirAccessPolicy access, CancellationToken ct)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            throw new UnsupportedSearchParameterException($"'{key}' is not a chained parameter.");
        }

        var compiler = new FilterCompiler(registry, db, _clock.GetUtcNow().UtcDateTime);
        var (_, _, targets) = ChainQueryBuilder.Targets(compiler, ScopeOf(resourceType), key[..dot], key[(dot + 1)..], value);
        return await targets.Within(access.ReadScope(db))
            .OrderBy(t => t.Sid)
            .Select(t => t.ResourceType + "/" + t.ResourceId)
            .Take(limit + 1)
            .ToListAsync(ct);
    }

    private static IQueryable<ResourceEntity> Filter(FilterCompiler compiler, SearchRequest request)
    {
        var query = compiler.Current(request.Scope.ResourceType);
        foreach (var filter in request.Filters)
        {
            query = query.Where(filter);
        }

        return query;
    }

    private static SearchScope ScopeOf(string? resourceType)
    {
        if (string.IsNullOrEmpty(resourceType))
        {
            return SearchScope.System;
        }

        return SearchParameterRegistry.IsResourceType(resourceType)
            ? SearchScope.ForType(resourceType)
            : throw new BadRequestException($"'{resourceType}' is not a resource type this server stores.", resourceType);
    }
}
