using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Referral.Persistence;

/// <summary>
/// Inserts new resource versions with their search index rows, inside the context's current transaction.
/// On SQLite it bypasses EF Core's change tracker and runs one compiled INSERT per table (kept on the connection by
/// <see cref="SqliteStatementCache"/>), re-bound for every row: a
/// transaction Bundle of 200 resources carries some 3,000 index rows, and EF's per-entity bookkeeping (tracking,
/// command building, parameter objects) cost more than SQLite's own work of storing them. PostgreSQL gets larger
/// batches by binary COPY and small ones through EF Core. The column lists come from the EF model, so they follow the migrations.
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

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("New versions are inserted only inside the write unit's transaction.");
        var plans = Plans.For(db.Model);
        if (transaction.Connection is NpgsqlConnection postgres)
        {
            if (versions.Count < PostgresCopyThreshold)
            {
                db.Resources.AddRange(versions);
                await db.SaveChangesAsync(ct);
            }
            else
            {
                await CopyAsync(postgres, plans, versions, ct);
            }

            return;
        }

        var commands = new Dictionary<Type, SqliteCommand>();
        var owned = new List<SqliteCommand>();
        try
        {
            foreach (var version in versions)
            {
                var resource = Command(plans.Resource);
                plans.Resource.Bind(resource, version);
                version.Sid = (long)(await resource.ExecuteScalarAsync(ct))!;
                foreach (var (table, rows) in version.IndexTables.Where(t => t.Rows.Count > 0))
                {
                    var plan = plans.Index(table);
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
            foreach (var command in owned)
            {
                await command.DisposeAsync();
            }
        }

        // The connection's compiled INSERT when it has one (every write after the first), else one compiled for this write.
        SqliteCommand Command(InsertPlan plan)
        {
            if (!commands.TryGetValue(plan.EntityType, out var command))
            {
                command = plan.Command((SqliteTransaction)transaction, out var isOwned);
                if (isOwned)
                {
                    owned.Add(command);
                }

                commands[plan.EntityType] = command;
            }

            return command;
        }
    }

    /// <summary>
    /// From this many versions on (a transaction Bundle, a referral package) PostgreSQL gets them by binary COPY; fewer
    /// go through EF Core, whose one batched round trip beats COPY's few for a single create.
    /// </summary>
    private const int PostgresCopyThreshold = 16;

    /// <summary>
    /// PostgreSQL: reserves the versions' keys from the identity sequence in one query, then streams the versions and
    /// each index table's rows with binary COPY, so a 200-resource package is a handful of round trips.
    /// </summary>
    private static async Task CopyAsync(NpgsqlConnection connection, Plans plans, IReadOnlyList<ResourceEntity> versions, CancellationToken ct)
    {
        var resource = plans.Resource;
        await using (var reserve = new NpgsqlCommand(
            $"SELECT nextval(pg_get_serial_sequence(@table, @column)) FROM generate_series(1, @count)", connection))
        {
            reserve.Parameters.AddWithValue("table", resource.Table);
            reserve.Parameters.AddWithValue("column", resource.KeyColumn);
            reserve.Parameters.AddWithValue("count", versions.Count);
            await using var keys = await reserve.ExecuteReaderAsync(ct);
            foreach (var version in versions)
            {
                version.Sid = await keys.ReadAsync(ct) ? keys.GetInt64(0) : throw new InvalidOperationException("The identity sequence returned too few keys.");
            }
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {resource.Table} ({InsertPlan.Quote(resource.KeyColumn)}, {resource.ColumnList}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var version in versions)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(version.Sid, NpgsqlDbType.Bigint, ct);
                await WriteValuesAsync(copy, resource.Values(version), ct);
            }

            await copy.CompleteAsync(ct);
        }

        var tables = versions.SelectMany(v => v.IndexTables.SelectMany(t => t.Rows.Select(row => (t.Table, Version: v, Row: row)))).GroupBy(r => r.Table);
        foreach (var table in tables)
        {
            var plan = plans.Index(table.Key);
            await using var copy = await connection.BeginBinaryImportAsync($"COPY {plan.Table} ({plan.ColumnList}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var (_, version, row) in table)
            {
                row.Sid = version.Sid;
                await copy.StartRowAsync(ct);
                await WriteValuesAsync(copy, plan.Values(row), ct);
            }

            await copy.CompleteAsync(ct);
        }
    }

    private static async Task WriteValuesAsync(NpgsqlBinaryImporter copy, IEnumerable<object?> values, CancellationToken ct)
    {
        foreach (var value in values)
        {
            await (value switch
            {
                null => copy.WriteNullAsync(ct),
                string text => copy.WriteAsync(text, NpgsqlDbType.Text, ct),
                long number => copy.WriteAsync(number, NpgsqlDbType.Bigint, ct),
                int number => copy.WriteAsync(number, NpgsqlDbType.Integer, ct),
                bool flag => copy.WriteAsync(flag, NpgsqlDbType.Boolean, ct),
                double number => copy.WriteAsync(number, NpgsqlDbType.Double, ct),
                _ => throw new NotSupportedException($"No COPY mapping for a {value.GetType().Name} column."),
            });
        }
    }

    /// <summary>The plans of one EF model (built once: the model does not change while the node runs).</summary>
    private sealed class Plans
    {
        private static readonly ConditionalWeakTable<IModel, Plans> ByModel = [];
        private readonly Dictionary<Type, InsertPlan> _indexes;

        private Plans(IModel model)
        {
            Resource = InsertPlan.For(model, typeof(ResourceEntity), returnKey: true);
            _indexes = model.GetEntityTypes().Where(t => typeof(IndexEntity).IsAssignableFrom(t.ClrType))
                .ToDictionary(t => t.ClrType, t => InsertPlan.For(model, t.ClrType, returnKey: false));
        }

        public InsertPlan Resource { get; }

        public InsertPlan Index(Type type) => _indexes[type];

        public static Plans For(IModel model) => ByModel.GetValue(model, m => new Plans(m));
    }
}
