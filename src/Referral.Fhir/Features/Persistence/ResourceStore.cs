using System.Globalization;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Fhir.Features.Validation;
using Referral.Fhir.Serialization;
using Referral.Persistence;
using Task = System.Threading.Tasks.Task;

namespace Referral.Fhir.Features.Persistence;

/// <summary>
/// Reads and stages writes of resource versions. Writes are only staged on the context: the caller owns the database
/// transaction (<see cref="WriteUnit"/>), so a single request and a whole transaction Bundle commit the same way.
/// Every read and write is checked against the caller's <see cref="IFhirAccessPolicy"/>: what it may not see is
/// answered as unknown. A version that claims a profile the node holds (<c>meta.profile</c>) is validated before it is staged.
/// </summary>
public sealed partial class ResourceStore(
    FhirDbContext db, SearchIndexer indexer, FhirSerializer serializer, TimeProvider clock, IFhirAccessPolicy access, ProfileValidator profiles)
{
    public FhirDbContext Db => db;

    public FhirSerializer Serializer => serializer;

    public IFhirAccessPolicy Access => access;

    /// <summary>Versions staged since the last <see cref="TakeStaged"/>; the write unit checks and reports them once saved.</summary>
    private readonly List<ResourceEntity> _staged = [];

    public IReadOnlyList<ResourceEntity> PeekStaged() => _staged;

    /// <summary>Staged versions not yet inserted; <see cref="SaveAsync"/> stores them.</summary>
    private readonly List<ResourceEntity> _unsaved = [];

    public IReadOnlyList<ResourceEntity> TakeStaged()
    {
        var staged = _staged.ToList();
        _staged.Clear();
        _unsaved.Clear();
        return staged;
    }

    /// <summary>
    /// Sends what is staged to the database, inside the caller's transaction: the tracked changes (retired versions,
    /// outbox rows) through EF Core, the new versions and their index rows through <see cref="VersionInserter"/>.
    /// </summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await VersionInserter.InsertAsync(db, _unsaved, ct);
        _unsaved.Clear();
    }

    /// <summary>The newest version of a resource (possibly a tombstone), or null if it never existed.</summary>
    /// <remarks>
    /// On PostgreSQL a transaction-scoped advisory lock on the resource's type and id is taken first, so concurrent
    /// writers of one resource queue and each reads the version the previous one committed, instead of colliding and
    /// retrying; SQLite writers are serialized already.
    /// </remarks>
    public async Task<ResourceEntity?> FindCurrentAsync(string type, string id, CancellationToken ct)
    {
        if (db.OnPostgres && db.Database.CurrentTransaction is not null)
        {
            var key = $"{type}/{id}";
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
        }

        return await db.Resources.FirstOrDefaultAsync(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory, ct);
    }

    public async Task<ResourceEntity> ReadAsync(string type, string id, CancellationToken ct)
    {
        access.Demand(FhirInteraction.Read, type);
        ValidateId(id);
        var current = await ScopedReads.FindCurrentAsync(db, access, type, id, ct)
            ?? throw new ResourceNotFoundException($"{type}/{id} is not known.");
        if (current.IsDeleted)
        {
            throw new ResourceGoneException($"{type}/{id} was deleted (version {current.VersionId}).");
        }

        return current;
    }

    public async Task<ResourceEntity> VReadAsync(string type, string id, string version, CancellationToken ct)
    {
        access.Demand(FhirInteraction.VRead, type);
        ValidateId(id);
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var versionId))
        {
            throw new BadRequestException($"Version id '{version}' is not a number.", "vid");
        }

        var entity = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && r.VersionId == versionId)
            .VersionsWithin(db, access.ReadScope(db))
            .FirstOrDefaultAsync(ct)
            ?? throw new ResourceNotFoundException($"{type}/{id}/_history/{version} is not known.");
        if (entity.IsDeleted)
        {
            throw new ResourceGoneException($"{type}/{id}/_history/{version} is a deletion.");
        }

        return entity;
    }

    /// <summary>Extracts the resource's search index rows now, for a <see cref="StageCreate"/> or <see cref="StageUpdateAsync"/> to come.</summary>
    public PreparedIndex PrepareIndex(Resource resource)
    {
        var rows = new ResourceEntity { ResourceType = resource.TypeName, ResourceId = "", Method = "", Json = "" };
        indexer.Index(resource, rows);
        return new PreparedIndex(rows);
    }

    /// <summary>Stages a new resource with a server-assigned id (any id in the body is replaced, as for POST).</summary>
    public ResourceEntity StageCreate(Resource resource, string? assignedId = null, PreparedIndex? index = null)
    {
        access.Demand(FhirInteraction.Create, resource.TypeName);
        profiles.RequireConformant(resource);
        return StageVersion(resource, assignedId ?? NewId(), 1, "POST", index);
    }

    /// <summary>
    /// Stages an update (or a create with the client's id when the resource does not exist yet).
    /// <paramref name="ifMatchVersion"/> is the version the client based its change on, if it said.
    /// </summary>
    public async Task<(ResourceEntity Entity, bool Created)> StageUpdateAsync(
        Resource resource, string id, int? ifMatchVersion, string method, CancellationToken ct, PreparedIndex? index = null)
    {
        ValidateId(id);
        var current = await FindCurrentAsync(resource.TypeName, id, ct);
        access.Demand(current is null || current.IsDeleted ? FhirInteraction.Create : FhirInteraction.Update, resource.TypeName);
        profiles.RequireConformant(resource);
        await RequireWritableAsync(current, ct);
        if (ifMatchVersion is { } expected && (current is null || current.VersionId != expected || current.IsDeleted))
        {
            throw new PreconditionFailedException(
                $"If-Match asked for version {expected} of {resource.TypeName}/{id}, but the current version is {(current is null ? "none" : current.VersionId)}.");
        }

        if (current is null)
        {
            return (StageVersion(resource, id, 1, method, index), true);
        }

        await RetireAsync(current, ct);
        return (StageVersion(resource, id, current.VersionId + 1, method, index), current.IsDeleted);
    }

    /// <summary>Stages a tombstone; returns null when there was nothing (or only a tombstone) to delete.</summary>
    public async Task<ResourceEntity?> StageDeleteAsync(string type, string id, int? ifMatchVersion, CancellationToken ct)
    {
        access.Demand(FhirInteraction.Delete, type);
        ValidateId(id);
        var current = await FindCurrentAsync(type, id, ct);
        await RequireWritableAsync(current, ct);
        if (ifMatchVersion is { } expected && (current is null || current.VersionId != expected))
        {
            throw new PreconditionFailedException($"If-Match asked for version {expected} of {type}/{id}, but the current version is {(current is null ? "none" : current.VersionId)}.");
        }

        if (current is null || current.IsDeleted)
        {
            return null;
        }

        // The tombstone keeps the rows that place the resource in a patient's compartment (and a Patient's managing
        // organisation), so access to the deletion and its history is decided like access to the resource was.
        var sid = current.Sid;
        var owners = await db.ReferenceIndices.AsNoTracking()
            .Where(i => i.Sid == sid && (i.TargetType == "Patient" || (i.ResourceType == "Patient" && i.Param == "organization")))
            .ToListAsync(ct);
        await RetireAsync(current, ct);
        var tombstone = new ResourceEntity
        {
            ResourceType = type,
            ResourceId = id,
            VersionId = current.VersionId + 1,
            LastUpdatedTicks = Now().Ticks,
            IsDeleted = true,
            Method = "DELETE",
            Json = "",
        };
        tombstone.ReferenceIndices.AddRange(owners.Select(o => (ReferenceIndexEntity)o.CopyUnsaved()));
        _staged.Add(tombstone);
        _unsaved.Add(tombstone);
        return tombstone;
    }

    /// <summary>
    /// A current version the caller may not change is answered as unknown (404), so a write can neither reveal nor
    /// take over a resource outside the caller's compartments.
    /// </summary>
    private async Task RequireWritableAsync(ResourceEntity? current, CancellationToken ct)
    {
        if (current is null || current.IsDeleted || access.WriteScope(db) is not { } scope)
        {
            return;
        }

        var sid = current.Sid;
        if (!await db.Resources.Where(r => r.Sid == sid).Where(scope).AnyAsync(ct))
        {
            throw new ResourceNotFoundException($"{current.ResourceType}/{current.ResourceId} is not known.");
        }
    }

    public Resource ToResource(ResourceEntity entity) => serializer.ParseStored(entity.Json);

    public static void ValidateId(string id)
    {
        // "." and ".." match the FHIR id pattern, but no URL can address them: clients and proxies remove dot segments.
        if (!IdPattern().IsMatch(id) || id is "." or "..")
        {
            throw new BadRequestException($"'{Truncate(id)}' is not a valid FHIR id (1-64 characters of A-Z, a-z, 0-9, '-' and '.').", "id");
        }
    }

    public static string NewId() => Guid.NewGuid().ToString("D");

    private ResourceEntity StageVersion(Resource resource, string id, int version, string method, PreparedIndex? index)
    {
        var now = Now();
        resource.Id = id;
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = version.ToString(CultureInfo.InvariantCulture);
        resource.Meta.LastUpdated = now;
        var entity = new ResourceEntity
        {
            ResourceType = resource.TypeName,
            ResourceId = id,
            VersionId = version,
            LastUpdatedTicks = now.UtcTicks,
            Method = method,
            Json = serializer.SerializeForStorage(resource),
        };
        if (index is null)
        {
            indexer.Index(resource, entity);
        }
        else
        {
            index.CopyTo(entity);
        }

        _staged.Add(entity);
        _unsaved.Add(entity);
        return entity;
    }

    /// <summary>Marks the current version as history and drops its index rows: only current versions are searchable.</summary>
    private async Task RetireAsync(ResourceEntity current, CancellationToken ct)
    {
        current.IsHistory = true;
        var sid = current.Sid;
        await db.StringIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.TokenIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.DateIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.ReferenceIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.QuantityIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.NumberIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
        await db.UriIndices.Where(i => i.Sid == sid).ExecuteDeleteAsync(ct);
    }

    private DateTimeOffset Now()
    {
        // Truncate to milliseconds: meta.lastUpdated round-trips through JSON at that precision.
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static string Truncate(string value) => value.Length > 70 ? value[..70] + "…" : value;

    [GeneratedRegex("^[A-Za-z0-9\\-\\.]{1,64}$")]
    private static partial Regex IdPattern();
}
