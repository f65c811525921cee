using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Referral.Persistence;

/// <summary>
/// Inserts new resource versions with their search index rows, inside the context's current transaction.
/// On SQLite it bypasses EF Core's change tracker and runs one prepared INSERT per table, re-bound for every row: a
/// transaction Bundle of 200 resources carries some 3,000 index rows, and EF's per-entity bookkeeping (tracking,
/// command building, parameter objects) cost more than SQLite's own work of storing them. PostgreSQL keeps EF Core,
/// which sends the whole batch in few round trips. The column lists come from the EF model, so they follow the migrations.
/// </summary>
public static class VersionInserter
{
    /// <summary>Stores the versions and sets their <see cref="ResourceEntity.Sid"/> (and their index rows' Sid).</summary>
    public static async Task InsertAsync(FhirDbContext db, IReadOnlyList<ResourceEntity> versions, CancellationToken ct)
    {
        if (versions.Count == 0)
        {
            return;
        }

        if (!db.Database.IsSqlite())
        {
            db.Resources.AddRange(versions);
            await db.SaveChangesAsync(ct);
            return;
        }

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("New versions are inserted only inside the write unit's transaction.");
        var plans = SqlitePlans.For(db.Model);
        var commands = new Dictionary<Type, SqliteCommand>();
        try
        {
            foreach (var version in versions)
            {
                var resource = Command(plans.Resource);
                plans.Resource.Bind(resource, version);
                version.Sid = (long)(await resource.ExecuteScalarAsync(ct))!;
                await InsertRowsAsync(version.StringIndices);
                await InsertRowsAsync(version.TokenIndices);
                await InsertRowsAsync(version.DateIndices);
                await InsertRowsAsync(version.ReferenceIndices);
                await InsertRowsAsync(version.QuantityIndices);
                await InsertRowsAsync(version.NumberIndices);
                await InsertRowsAsync(version.UriIndices);

                async Task InsertRowsAsync<T>(List<T> rows)
                    where T : IndexEntity
                {
                    if (rows.Count == 0)
                    {
                        return;
                    }

                    var plan = plans.Index(typeof(T));
                    var command = Command(plan);
                    foreach (var row in rows)
                    {
                        row.Sid = version.Sid;
                        plan.Bind(command, row);
                        await command.ExecuteNonQueryAsync(ct);
                    }
                }
            }
        }
        finally
        {
            foreach (var command in commands.Values)
            {
                await command.DisposeAsync();
            }
        }

        SqliteCommand Command(InsertPlan plan)
        {
            if (!commands.TryGetValue(plan.EntityType, out var command))
            {
                command = (SqliteCommand)transaction.Connection!.CreateCommand();
                command.Transaction = (SqliteTransaction)transaction;
                command.CommandText = plan.Sql;
                foreach (var name in plan.ParameterNames)
                {
                    command.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                command.Prepare();
                commands[plan.EntityType] = command;
            }

            return command;
        }
    }

    /// <summary>The INSERT of one table: its SQL and how to read each column's value from an entity.</summary>
    private sealed class InsertPlan
    {
        private readonly IProperty[] _columns;

        public InsertPlan(IEntityType entityType, bool returnKey)
        {
            EntityType = entityType.ClrType;
            var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
            var key = entityType.FindPrimaryKey()!.Properties.Single();
            _columns = [.. entityType.GetProperties().Where(p => p != key)];
            ParameterNames = [.. _columns.Select((_, i) => "$p" + i)];
            var columnList = string.Join(", ", _columns.Select(p => Quote(p.GetColumnName(table)!)));
            Sql = $"INSERT INTO {Quote(table.Name)} ({columnList}) VALUES ({string.Join(", ", ParameterNames)})"
                + (returnKey ? $" RETURNING {Quote(key.GetColumnName(table)!)}" : "");
        }

        public Type EntityType { get; }

        public string Sql { get; }

        public string[] ParameterNames { get; }

        public void Bind(DbCommand command, object entity)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var column = _columns[i];
                var value = column.GetGetter().GetClrValueUsingContainingEntity(entity);
                if (value is not null && column.GetTypeMapping().Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }

                command.Parameters[i].Value = value ?? DBNull.Value;
            }
        }

        private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The plans of one EF model (built once: the model does not change while the node runs).</summary>
    private sealed class SqlitePlans
    {
        private static readonly ConditionalWeakTable<IModel, SqlitePlans> ByModel = [];
        private readonly Dictionary<Type, InsertPlan> _indexes;

        private SqlitePlans(IModel model)
        {
            Resource = new InsertPlan(model.FindEntityType(typeof(ResourceEntity))!, returnKey: true);
            _indexes = model.GetEntityTypes().Where(t => typeof(IndexEntity).IsAssignableFrom(t.ClrType))
                .ToDictionary(t => t.ClrType, t => new InsertPlan(t, returnKey: false));
        }

        public InsertPlan Resource { get; }

        public InsertPlan Index(Type type) => _indexes[type];

        public static SqlitePlans For(IModel model) => ByModel.GetValue(model, m => new SqlitePlans(m));
    }
}
