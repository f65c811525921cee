using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// Read by id, the node's most frequent query, as a command of its own: EF Core writes its SQL once per read scope
/// (<see cref="IFhirAccessPolicy.ReadScopeKey"/>) and resource type, and each read binds the id to that SQL and reads
/// the one row into a <see cref="ResourceEntity"/> itself. The organisation filter is a large expression: run as ordinary
/// LINQ, EF walks and hashes the whole tree on every request before it finds its cached SQL; even compiled, each
/// execution went through EF's command, reader and shaper layers, which cost as much as SQLite's own work for the read.
/// Each type's SQL carries only the part of the scope that can hold for that type (<see cref="TypeSpecificScope"/>).
/// </summary>
public static class ScopedReads
{
    /// <summary>Scopes times resource types kept per table below; beyond this, ordinary LINQ.</summary>
    private const int MaxPlans = 1024;

    /// <summary>Per EF model as well: SQL written for SQLite must not run on PostgreSQL (tests host both in one process).</summary>
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<(string Scope, string Type), CurrentVersionQuery>> ByModel = [];

    /// <summary>The write-scope checks, apart from the reads: a key names both scopes (<see cref="IFhirAccessPolicy.ReadScopeKey"/>).</summary>
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<(string Scope, string Type), ProbedCommand>> WriteChecksByModel = [];

    /// <summary>The current version (possibly a tombstone) of type/id if the caller may see it; null otherwise.</summary>
    public static Task<ResourceEntity?> FindCurrentAsync(FhirDbContext db, IFhirAccessPolicy access, string type, string id, CancellationToken ct)
    {
        if (access.ReadScopeKey is { } key && PlanFor(ByModel, db, key, type, () => new CurrentVersionQuery(db, access.ReadScope(db), type)) is { } plan)
        {
            // Outside a transaction a read needs nothing of the request's connection, so on PostgreSQL it joins the reads
            // under way; in a transaction it must see the transaction's own writes.
            return db.Database.CurrentTransaction is null && plan.BatcherFor(db) is { } batcher
                ? batcher.GetAsync(id, ct)
                : plan.ExecuteAsync(db, id, ct);
        }

        return db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory)
            .Within(access.ReadScope(db))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Whether <paramref name="written"/> (a row saved in the current transaction) falls in <paramref name="scope"/>,
    /// the caller's write scope, with one command per <paramref name="scopeKey"/> and type as for reads.
    /// </summary>
    public static async Task<bool> IsWithinAsync(
        FhirDbContext db, string scopeKey, Expression<Func<ResourceEntity, bool>> scope, ResourceEntity written, CancellationToken ct)
    {
        var type = written.ResourceType;
        if (PlanFor(WriteChecksByModel, db, scopeKey, type, () => WriteCheck(db, scope, type)) is { } check)
        {
            return await check.FirstOrDefaultAsync(db, written.Sid, reader => true, ct);
        }

        var sid = written.Sid;
        return await db.Resources.Where(r => r.Sid == sid).Where(scope).AnyAsync(ct);
    }

    /// <summary>The plan of a scope and type kept in <paramref name="table"/>, made now if new; null once it holds <see cref="MaxPlans"/> (run LINQ then).</summary>
    private static T? PlanFor<T>(
        ConditionalWeakTable<IModel, ConcurrentDictionary<(string Scope, string Type), T>> table, FhirDbContext db, string scopeKey, string type, Func<T> make)
        where T : class
    {
        var plans = table.GetValue(db.Model, _ => new());
        return plans.TryGetValue((scopeKey, type), out var plan) ? plan
            : plans.Count < MaxPlans ? plans.GetOrAdd((scopeKey, type), _ => make())
            : null;
    }

    private static ProbedCommand WriteCheck(FhirDbContext db, Expression<Func<ResourceEntity, bool>> scope, string type)
    {
        var probe = new SidProbe();
        return new ProbedCommand(db.Resources.AsNoTracking().Where(r => r.Sid == probe.Value).Where(TypeSpecificScope.For(scope, type)).Select(r => r.Sid), probe.Value);
    }

    /// <summary>The read of one scope and type, and how to make a <see cref="ResourceEntity"/> of its row.</summary>
    private sealed class CurrentVersionQuery
    {
        private static readonly string[] Columns =
        [
            nameof(ResourceEntity.Sid), nameof(ResourceEntity.ResourceType), nameof(ResourceEntity.ResourceId), nameof(ResourceEntity.VersionId),
            nameof(ResourceEntity.LastUpdatedTicks), nameof(ResourceEntity.IsDeleted), nameof(ResourceEntity.IsHistory), nameof(ResourceEntity.Method),
            nameof(ResourceEntity.Json),
        ];

        private readonly ProbedCommand _command;

        /// <summary>The same read of many ids at once (PostgreSQL only: SQLite answers in-process, with no round trip to save).</summary>
        private readonly ProbedCommand? _batchCommand;

        /// <summary>Per database: the SQL is the model's, but tests run several PostgreSQL nodes of one model in a process.</summary>
        private readonly ConcurrentDictionary<string, RoundTripBatcher<string, ResourceEntity>> _batchers = new(StringComparer.Ordinal);

        private readonly string[] _columnNames;

        /// <summary>Where each of <see cref="Columns"/> is in EF's SELECT list; found on the first read.</summary>
        private int[]? _ordinals;

        public CurrentVersionQuery(FhirDbContext db, Expression<Func<ResourceEntity, bool>>? scope, string type)
        {
            var row = Expression.Parameter(typeof(ResourceEntity), "r");
            // The type as a literal: it selects the type's own branch of the scope. The ids are captured, which EF binds as parameters.
            var current = db.Resources.AsNoTracking().Where(Expression.Lambda<Func<ResourceEntity, bool>>(
                Expression.AndAlso(
                    Expression.Equal(Expression.Property(row, nameof(ResourceEntity.ResourceType)), Expression.Constant(type)),
                    Expression.Not(Expression.Property(row, nameof(ResourceEntity.IsHistory)))),
                row));
            var typeScope = TypeSpecificScope.For(scope, type);
            var probe = new IdProbe();
            // No LIMIT: a type and id have one current row.
            _command = new ProbedCommand(current.Where(r => r.ResourceId == probe.Value).Within(typeScope), probe.Value);
            if (db.OnPostgres)
            {
                var ids = new IdsProbe();
                // One array parameter (= ANY ($n)), so every batch size is one prepared statement.
                _batchCommand = new ProbedCommand(current.Where(r => EF.Parameter(ids.Values).Contains(r.ResourceId)).Within(typeScope), ids.Values);
            }

            var entity = db.Model.FindEntityType(typeof(ResourceEntity))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            _columnNames = [.. Columns.Select(c => entity.FindProperty(c)!.GetColumnName(table)!)];
        }

        public Task<ResourceEntity?> ExecuteAsync(FhirDbContext db, string id, CancellationToken ct) =>
            _command.FirstOrDefaultAsync(db, id, Materialize, ct);

        /// <summary>The batcher of reads of <paramref name="db"/>'s database, or null where reads are not batched.</summary>
        public RoundTripBatcher<string, ResourceEntity>? BatcherFor(FhirDbContext db) =>
            _batchCommand is { } command && db.Database.GetConnectionString() is { } connectionString
                ? _batchers.GetOrAdd(connectionString, cs =>
                {
                    var batchConnections = GenericPlans(cs);
                    return new((ids, ct) => ReadManyAsync(command, batchConnections, ids, ct), row => row.ResourceId, Copy, StringComparer.Ordinal);
                })
                : null;

        /// <summary>
        /// The connection string of a pool of its own whose sessions keep one plan per prepared statement. PostgreSQL
        /// prices a generic plan of <c>= ANY ($1)</c> for an array of unknown length above the custom plan of each
        /// execution's short array, so it would plan the organisation filter afresh on every batch (about 1 ms, more
        /// than the batch saves); the generic plan is the same index lookup for any length.
        /// </summary>
        private static string GenericPlans(string connectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
            return builder.ConnectionString;
        }

        private async Task<IReadOnlyList<ResourceEntity>> ReadManyAsync(ProbedCommand command, string connectionString, IReadOnlyList<string> ids, CancellationToken ct)
        {
            // A connection of the batched reads' own pool (see GenericPlans), held only for the round trip.
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            return await command.ToListAsync(connection, ids.ToArray(), Materialize, ct);
        }

        private ResourceEntity Materialize(DbDataReader reader) => Materialize(reader, _ordinals ??= [.. _columnNames.Select(reader.GetOrdinal)]);

        private static ResourceEntity Copy(ResourceEntity row) => new()
        {
            Sid = row.Sid, ResourceType = row.ResourceType, ResourceId = row.ResourceId, VersionId = row.VersionId, LastUpdatedTicks = row.LastUpdatedTicks,
            IsDeleted = row.IsDeleted, IsHistory = row.IsHistory, Method = row.Method, Json = row.Json,
        };

        private static ResourceEntity Materialize(DbDataReader reader, int[] ordinals) => new()
        {
            Sid = reader.GetInt64(ordinals[0]),
            ResourceType = reader.GetString(ordinals[1]),
            ResourceId = reader.GetString(ordinals[2]),
            VersionId = reader.GetInt32(ordinals[3]),
            LastUpdatedTicks = reader.GetInt64(ordinals[4]),
            IsDeleted = reader.GetBoolean(ordinals[5]),
            IsHistory = reader.GetBoolean(ordinals[6]),
            Method = reader.GetString(ordinals[7]),
            Json = reader.GetString(ordinals[8]),
        };
    }

    /// <summary>Holds the id EF sees while writing the SQL: a value no resource id can have (ids are validated first).</summary>
    private sealed class IdProbe
    {
        public readonly string Value = "\u0001";
    }

    /// <summary>Holds the ids EF sees while writing the batched SQL: the array itself is how its parameter is found.</summary>
    private sealed class IdsProbe
    {
        public readonly string[] Values = ["\u0001"];
    }

    /// <summary>Holds the row key EF sees while writing the SQL: keys are positive.</summary>
    private sealed class SidProbe
    {
        public readonly long Value = -1;
    }
}
