using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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
    /// <summary>Read scopes times resource types seen; beyond this reads fall back to ordinary LINQ.</summary>
    private const int MaxPlans = 1024;

    /// <summary>Per EF model as well: SQL written for SQLite must not run on PostgreSQL (tests host both in one process).</summary>
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<(string Scope, string Type), CurrentVersionQuery>> ByModel = [];

    /// <summary>The current version (possibly a tombstone) of type/id if the caller may see it; null otherwise.</summary>
    public static Task<ResourceEntity?> FindCurrentAsync(FhirDbContext db, IFhirAccessPolicy access, string type, string id, CancellationToken ct)
    {
        var plans = ByModel.GetValue(db.Model, _ => new());
        if (access.ReadScopeKey is { } key && (plans.TryGetValue((key, type), out var plan) || plans.Count < MaxPlans))
        {
            plan ??= plans.GetOrAdd((key, type), _ => new CurrentVersionQuery(db, access.ReadScope(db), type));
            return plan.ExecuteAsync(db, id, ct);
        }

        return db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && r.ResourceId == id && !r.IsHistory)
            .Within(access.ReadScope(db))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>The SQL EF Core writes for one scope's read of one type, with its parameters, and how to read its row.</summary>
    private sealed class CurrentVersionQuery
    {
        private static readonly string[] Columns =
        [
            nameof(ResourceEntity.Sid), nameof(ResourceEntity.ResourceType), nameof(ResourceEntity.ResourceId), nameof(ResourceEntity.VersionId),
            nameof(ResourceEntity.LastUpdatedTicks), nameof(ResourceEntity.IsDeleted), nameof(ResourceEntity.IsHistory), nameof(ResourceEntity.Method),
            nameof(ResourceEntity.Json),
        ];

        private readonly string _sql;

        /// <summary>EF's parameters as it bound them: the scope's values stay, the id's is replaced on each read.</summary>
        private readonly DbParameter[] _parameters;

        private readonly int _idParameter;

        /// <summary>The SQL refers to its parameters by position ($1 …), so they go unnamed.</summary>
        private readonly bool _positional;

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
            // No LIMIT: a type and id have one current row, and SQLite compiles a statement again whenever its LIMIT parameter is bound.
            using var command = db.Resources.AsNoTracking().Where(byId).Within(TypeSpecificScope.For(scope, type)).CreateDbCommand();
            _parameters = [.. command.Parameters.Cast<DbParameter>()];
            // Positional on PostgreSQL (see NpgsqlPositionalSql).
            var positional = command is NpgsqlCommand ? NpgsqlPositionalSql.Positional(command.CommandText, [.. _parameters.Select(p => p.ParameterName)]) : null;
            _positional = positional is not null;
            _sql = positional ?? command.CommandText;
            _idParameter = Array.FindIndex(_parameters, p => ReferenceEquals(p.Value, probe.Value));
            if (_idParameter < 0)
            {
                throw new InvalidOperationException($"EF Core bound no parameter for the id in the read of {type}: {_sql}");
            }

            var entity = db.Model.FindEntityType(typeof(ResourceEntity))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            _columnNames = [.. Columns.Select(c => entity.FindProperty(c)!.GetColumnName(table)!)];
        }

        public async Task<ResourceEntity?> ExecuteAsync(FhirDbContext db, string id, CancellationToken ct)
        {
            var database = db.Database;
            var opened = database.GetDbConnection().State != ConnectionState.Open;
            if (opened)
            {
                await database.OpenConnectionAsync(ct);
            }

            try
            {
                var connection = database.GetDbConnection();
                // On SQLite the connection's compiled statement for this SQL, when it has one (not to be disposed).
                var reused = connection is SqliteConnection sqlite ? SqliteStatementCache.For(sqlite, _sql) : null;
                var command = reused ?? connection.CreateCommand();
                try
                {
                    if (reused is null)
                    {
                        command.CommandText = _sql;
                    }

                    command.Transaction = database.CurrentTransaction?.GetDbTransaction();
                    command.Parameters.Clear();
                    for (var i = 0; i < _parameters.Length; i++)
                    {
                        command.Parameters.Add(Copy(_parameters[i], i == _idParameter ? id : _parameters[i].Value, _positional));
                    }

                    await using var reader = await command.ExecuteReaderAsync(ct);
                    return await reader.ReadAsync(ct) ? Materialize(reader, _ordinals ??= [.. _columnNames.Select(reader.GetOrdinal)]) : null;
                }
                finally
                {
                    if (reused is null)
                    {
                        await command.DisposeAsync();
                    }
                }
            }
            finally
            {
                if (opened)
                {
                    await database.CloseConnectionAsync();
                }
            }
        }

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

        /// <summary>
        /// The parameter with its name and type and the given value. Not its size: EF sized it to the value it was
        /// written with (the probe's one character), and both providers cut a longer value to that size.
        /// </summary>
        private static DbParameter Copy(DbParameter template, object? value, bool positional) => template switch
        {
            SqliteParameter sqlite => new SqliteParameter(sqlite.ParameterName, sqlite.SqliteType) { Value = value },
            NpgsqlParameter npgsql => Resized(npgsql.Clone(), value, positional),
            _ => throw new NotSupportedException($"Cannot copy a {template.GetType().Name}."),
        };

        private static NpgsqlParameter Resized(NpgsqlParameter copy, object? value, bool positional)
        {
            if (positional)
            {
                copy.ParameterName = "";
            }

            copy.Size = 0;
            copy.Value = value;
            return copy;
        }
    }

    /// <summary>Holds the id EF sees while writing the SQL; a unique instance, so its parameter can be told from the scope's.</summary>
    private sealed class IdProbe
    {
        public readonly string Value = new('\u0001', 1);
    }
}
