using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Workflow;

/// <summary>Reads stored resources inside the workflow's own checks and builders (node work: no caller scope applies).</summary>
public static class StoredResources
{
    /// <summary>The current version of a literal <c>Type/id</c> reference, or null (unknown, deleted, not literal, another type).</summary>
    public static async Task<T?> CurrentAsync<T>(FhirDbContext db, FhirSerializer serializer, string? reference, CancellationToken ct)
        where T : Resource
    {
        if (Split(reference) is not (string type, string id))
        {
            return null;
        }

        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as T;
    }

    /// <summary>The version before <paramref name="entity"/>, or null when it is the first (or the one before was a deletion).</summary>
    public static async Task<T?> PreviousAsync<T>(FhirDbContext db, FhirSerializer serializer, ResourceEntity entity, CancellationToken ct)
        where T : Resource
    {
        if (entity.VersionId <= 1)
        {
            return null;
        }

        var (type, id, version) = (entity.ResourceType, entity.ResourceId, entity.VersionId - 1);
        var json = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && r.VersionId == version && !r.IsDeleted)
            .Select(r => r.Json).FirstOrDefaultAsync(ct);
        return json is null ? null : serializer.ParseStored(json) as T;
    }

    /// <summary>The current resource of <paramref name="type"/> carrying the identifier, as <c>Type/id</c>, when exactly one does.</summary>
    public static async Task<string?> FindByIdentifierAsync(FhirDbContext db, string type, string system, string value, CancellationToken ct)
    {
        var ids = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && !r.IsHistory && !r.IsDeleted
                && db.TokenIndices.Any(t => t.Sid == r.Sid && t.Param == "identifier" && t.System == system && t.Code == value))
            .Select(r => r.ResourceId).Take(2).ToListAsync(ct);
        return ids.Count == 1 ? $"{type}/{ids[0]}" : null;
    }

    /// <summary><c>Type/id</c> split in two; null for anything else (absolute URLs, urn:, conditional references).</summary>
    public static (string Type, string Id)? Split(string? reference)
    {
        var slash = reference?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || slash == reference!.Length - 1 || reference.IndexOf('/', slash + 1) >= 0 || reference.Contains(':', StringComparison.Ordinal) || reference.Contains('?', StringComparison.Ordinal))
        {
            return null;
        }

        return (reference[..slash], reference[(slash + 1)..]);
    }
}
