using Referral.Fhir.Features.Search.Query;
using Referral.Persistence;

namespace Referral.Fhir.Features.SeparateStores;

/// <summary>
/// A resource type the node keeps in a store of its own instead of the FHIR store (the audit trail's AuditEvents).
/// Every read of the type goes through this: its own routes and the GET entries of batch and transaction Bundles (both
/// by <see cref="Api.SeparateStoreInteractions"/>), system-level search and history, and other types' <c>_revinclude</c>
/// and <c>_has</c>. The API never writes to it. Callers check the access policy before asking: an implementation answers
/// as for a caller who may read the type.
/// </summary>
public interface ISeparateResourceStore
{
    string ResourceType { get; }

    /// <summary>The current version of resource <paramref name="id"/>.</summary>
    /// <exception cref="Errors.ResourceNotFoundException">The store holds no such resource.</exception>
    Task<ResourceEntity> ReadAsync(string id, CancellationToken ct);

    /// <summary>Version <paramref name="version"/> of resource <paramref name="id"/>.</summary>
    /// <exception cref="Errors.ResourceNotFoundException">The store holds no such resource or version.</exception>
    Task<ResourceEntity> VReadAsync(string id, string version, CancellationToken ct);

    /// <summary>Every version of resource <paramref name="id"/>, newest first.</summary>
    /// <exception cref="Errors.ResourceNotFoundException">The store holds no such resource.</exception>
    Task<IReadOnlyList<ResourceEntity>> InstanceHistoryAsync(string id, CancellationToken ct);

    /// <summary>A search of <see cref="ResourceType"/> (its own parameters, no <c>_type</c>), answered as its type-level search is.</summary>
    Task<SearchResult> SearchAsync(IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, CancellationToken ct);

    /// <summary>
    /// The last-updated ticks of the first <paramref name="take"/> matches of a search (filters and <c>_sort</c> by
    /// <c>_lastUpdated</c>; no paging), in its order: enough to merge its matches with the store's without loading them.
    /// </summary>
    /// <exception cref="Errors.BadRequestException">A parameter is not one the store answers.</exception>
    Task<IReadOnlyList<long>> SearchTicksAsync(IReadOnlyList<KeyValuePair<string, string>> parameters, int take, CancellationToken ct);

    /// <summary>How many versions lie within <paramref name="window"/> (type and system history).</summary>
    Task<int> CountHistoryAsync(HistoryWindow window, CancellationToken ct);

    /// <summary>
    /// The last-updated ticks of the newest <paramref name="take"/> versions within the window, newest first: enough to
    /// merge this history with the store's without loading the versions themselves.
    /// </summary>
    Task<IReadOnlyList<long>> HistoryTicksAsync(HistoryWindow window, int take, CancellationToken ct);

    /// <summary>Versions within the window, newest first, from the <paramref name="skip"/>th on.</summary>
    Task<IReadOnlyList<ResourceEntity>> HistoryAsync(HistoryWindow window, int skip, int take, CancellationToken ct);

    /// <summary>
    /// <c>_revinclude</c>: the resources whose reference parameter <paramref name="parameter"/> (or any of them, for
    /// "*") points at one of <paramref name="targets"/> (<c>Type/id</c>).
    /// </summary>
    Task<IReadOnlyList<ResourceEntity>> ReferencingAsync(string parameter, IReadOnlyCollection<string> targets, CancellationToken ct);

    /// <summary>
    /// <c>_has:Type:parameter:key=value</c>: what (<c>Type/id</c>) the resources matching <paramref name="key"/>=
    /// <paramref name="value"/> reference through <paramref name="parameter"/>; at most <paramref name="limit"/> + 1, so
    /// the caller can tell a criterion that is too broad.
    /// </summary>
    /// <exception cref="UnsupportedSearchParameterException">The parameter or criterion is not one the store answers.</exception>
    Task<IReadOnlyCollection<string>> ReferencedAsync(string parameter, string key, string value, int limit, CancellationToken ct);
}

/// <summary>
/// The versions a history page is taken from: those last updated at or after <paramref name="SinceTicks"/> (when given)
/// and at or before <paramref name="UntilTicks"/>, the instant the first page was made, so later pages are not shifted
/// by what was written meanwhile (every request adds to the audit trail).
/// </summary>
public sealed record HistoryWindow(long? SinceTicks, long UntilTicks);
