using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.SeparateStores;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// The top-level <c>_has:Type:parameter:criterion</c> parameters on separately stored types (AuditEvent), resolved
/// before the query is built: their store is another database, so its matches cannot be joined in SQL and are turned
/// into the references (<c>Type/id</c>) they hold instead. Asking is searching that type, so a caller who may not
/// search it is refused (403), as on its own search.
/// </summary>
internal sealed class SeparateHasCriteria
{
    /// <summary>More references than this make the criterion too broad to pass to the FHIR store as a list.</summary>
    public const int MaxReferences = 1000;

    private readonly IReadOnlySet<string> _types;
    private readonly Dictionary<(string Key, string Value), Resolution> _resolved = [];

    private SeparateHasCriteria(IReadOnlySet<string> types) => _types = types;

    public static SeparateHasCriteria None { get; } = new(new HashSet<string>());

    public bool IsSeparate(string resourceType) => _types.Contains(resourceType);

    /// <summary>What the matches of the criterion reference, or why it is not supported (null: it was not resolved, being nested).</summary>
    public Resolution? Resolved(string key, string value) => _resolved.GetValueOrDefault((key, value));

    public static async Task<SeparateHasCriteria> ResolveAsync(
        IReadOnlyList<KeyValuePair<string, string>> parameters, IReadOnlyCollection<ISeparateResourceStore> stores, IFhirAccessPolicy access, bool strict, CancellationToken ct)
    {
        if (stores.Count == 0)
        {
            return None;
        }

        var criteria = new SeparateHasCriteria(stores.Select(s => s.ResourceType).ToHashSet(StringComparer.Ordinal));
        foreach (var (rawKey, rawValue) in parameters)
        {
            var (key, value) = (rawKey.Trim(), rawValue.Trim());
            var parts = key.Split(':', 4);
            if (parts.Length != 4 || parts[0] != "_has" || parts[3].Length == 0 || value.Length == 0 ||
                stores.FirstOrDefault(s => s.ResourceType == parts[1]) is not { } store || criteria._resolved.ContainsKey((key, value)))
            {
                continue;
            }

            access.Demand(FhirInteraction.Search, store.ResourceType);
            try
            {
                var referenced = await store.ReferencedAsync(parts[2], parts[3], value, MaxReferences, ct);
                criteria._resolved[(key, value)] = referenced.Count <= MaxReferences
                    ? new Resolution(referenced, null)
                    : throw new BadRequestException(
                        $"'{key}' matches {store.ResourceType}s about more than {MaxReferences} resources; narrow it (for example by date).", key);
            }
            catch (UnsupportedSearchParameterException e) when (!strict)
            {
                criteria._resolved[(key, value)] = new Resolution(null, e.Message);
            }
            catch (UnsupportedSearchParameterException e)
            {
                throw new BadRequestException(e.Message, key);
            }
        }

        return criteria;
    }

    /// <param name="References">The references (<c>Type/id</c>) the criterion's matches hold.</param>
    /// <param name="Unsupported">Why the store could not answer it, to skip it under lenient handling.</param>
    public sealed record Resolution(IReadOnlyCollection<string>? References, string? Unsupported);
}
