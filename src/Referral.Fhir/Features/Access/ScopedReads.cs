using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
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
            return plan.ExecuteAsync(db, id, ct);
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

        private readonly string[] _columnNames;

        /// <summary>Where each of <see cref="Columns"/> is in EF's SELECT list; found on the first read.</summary>
        private int[]? _ordinals;

        public CurrentVersionQuery(FhirDbContext db, Expression<Func<ResourceEntity, bool>>? scope, string type)
        {
            var probe = new IdProbe();
            var row = Expression.Parameter(typeof(ResourceEntity), "r");
            // The type as a literal (it selects the type's own branch of the scope); the id through a field, which EF binds as a parameter.
            var byId = Expression.Lambda<Func<ResourceEntity, bool>>(
                Expression.AndAlso(
                    Expression.AndAlso(
                        Expression.Equal(Expression.Property(row, nameof(ResourceEntity.ResourceType)), Expression.Constant(type)),
                        Expression.Equal(Expression.Property(row, nameof(ResourceEntity.ResourceId)), Expression.Field(Expression.Constant(probe), nameof(IdProbe.Value)))),
                    Expression.Not(Expression.Property(row, nameof(ResourceEntity.IsHistory)))),
                row);
            // No LIMIT: a type and id have one current row.
            _command = new ProbedCommand(db.Resources.AsNoTracking().Where(byId).Within(TypeSpecificScope.For(scope, type)), probe.Value);
            var entity = db.Model.FindEntityType(typeof(ResourceEntity))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            _columnNames = [.. Columns.Select(c => entity.FindProperty(c)!.GetColumnName(table)!)];
        }

        public Task<ResourceEntity?> ExecuteAsync(FhirDbContext db, string id, CancellationToken ct) =>
            _command.FirstOrDefaultAsync(db, id, reader => Materialize(reader, _ordinals ??= [.. _columnNames.Select(reader.GetOrdinal)]), ct);

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

    /// <summary>Holds the row key EF sees while writing the SQL: keys are positive.</summary>
    private sealed class SidProbe
    {
        public readonly long Value = -1;
    }
}
