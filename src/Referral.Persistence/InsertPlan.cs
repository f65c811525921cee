using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Referral.Persistence;

/// <summary>
/// The INSERT of one table, from the EF model (so it follows the migrations): its SQL with one <c>$pN</c> parameter per
/// non-key column, and how to read each column's value from an entity. For the paths that bypass EF's change tracker.
/// </summary>
public sealed class InsertPlan
{
    private readonly IProperty[] _columns;

    public InsertPlan(IEntityType entityType, bool returnKey)
    {
        EntityType = entityType.ClrType;
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var key = entityType.FindPrimaryKey()!.Properties.Single();
        _columns = [.. entityType.GetProperties().Where(p => p != key)];
        ParameterNames = [.. _columns.Select((_, i) => "$p" + i)];
        Table = Quote(table.Name);
        KeyColumn = key.GetColumnName(table)!;
        ColumnList = string.Join(", ", _columns.Select(p => Quote(p.GetColumnName(table)!)));
        Sql = $"INSERT INTO {Table} ({ColumnList}) VALUES ({string.Join(", ", ParameterNames)})"
            + (returnKey ? $" RETURNING {Quote(KeyColumn)}" : "");
        PositionalSql = $"INSERT INTO {Table} ({ColumnList}) VALUES ({string.Join(", ", _columns.Select((_, i) => "$" + (i + 1)))})";
    }

    /// <summary>Made on first use: a SQLite node never needs them.</summary>
    private NpgsqlDbType[] PostgresTypes => _postgresTypes ??=
        [.. _columns.Select(p => PostgresTypeOf((p.GetTypeMapping().Converter?.ProviderClrType ?? p.ClrType) is var t && Nullable.GetUnderlyingType(t) is { } u ? u : t))];

    private NpgsqlDbType[]? _postgresTypes;

    /// <summary>The INSERT with positional parameters (<c>$1</c>, <c>$2</c> …), which Npgsql sends as they are.</summary>
    public string PositionalSql { get; }

    public Type EntityType { get; }

    public string Sql { get; }

    public string[] ParameterNames { get; }

    /// <summary>The quoted table name.</summary>
    public string Table { get; }

    /// <summary>The key column's name, unquoted.</summary>
    public string KeyColumn { get; }

    /// <summary>The quoted non-key columns, comma separated, in <see cref="Values"/>'s order.</summary>
    public string ColumnList { get; }

    public void Bind(DbCommand command, object entity)
    {
        var i = 0;
        foreach (var value in Values(entity))
        {
            command.Parameters[i++].Value = value ?? DBNull.Value;
        }
    }

    /// <summary>The entity's non-key column values as the provider stores them.</summary>
    public IEnumerable<object?> Values(object entity)
    {
        foreach (var column in _columns)
        {
            var value = column.GetGetter().GetClrValueUsingContainingEntity(entity);
            yield return value is not null && column.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }

    /// <summary>
    /// A PostgreSQL batch command inserting <paramref name="entity"/>: positional parameters with their column's type, so
    /// the text needs no rewriting and the statement is prepared once however its values (nulls included) vary.
    /// </summary>
    public NpgsqlBatchCommand PostgresCommand(object entity)
    {
        var command = new NpgsqlBatchCommand(PositionalSql);
        var types = PostgresTypes;
        var i = 0;
        foreach (var value in Values(entity))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = types[i++], Value = value ?? DBNull.Value });
        }

        return command;
    }

    private static NpgsqlDbType PostgresTypeOf(Type providerType) =>
        providerType == typeof(string) ? NpgsqlDbType.Text
        : providerType == typeof(long) ? NpgsqlDbType.Bigint
        : providerType == typeof(int) ? NpgsqlDbType.Integer
        : providerType == typeof(bool) ? NpgsqlDbType.Boolean
        : providerType == typeof(double) ? NpgsqlDbType.Double
        : throw new NotSupportedException($"No PostgreSQL parameter type for a {providerType.Name} column.");

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The plan for an entity type of a model, made once per model.</summary>
    public static InsertPlan For(IModel model, Type entity, bool returnKey) =>
        ByModel.GetOrCreateValue(model).GetOrAdd((entity, returnKey), k => new InsertPlan(model.FindEntityType(k.Entity)!, k.ReturnKey));

    /// <summary>
    /// A SQLite command for this INSERT inside <paramref name="transaction"/>, with its parameters: the connection's
    /// compiled one when it has it (<see cref="SqliteStatementCache"/>; not to be disposed), else a new one that the
    /// caller disposes (<paramref name="owned"/>).
    /// </summary>
    public SqliteCommand Command(SqliteTransaction transaction, out bool owned)
    {
        var connection = transaction.Connection!;
        var command = SqliteStatementCache.For(connection, Sql);
        owned = command is null;
        if (command is null)
        {
            command = connection.CreateCommand();
            command.CommandText = Sql;
        }

        command.Transaction = transaction;
        if (command.Parameters.Count != ParameterNames.Length)
        {
            command.Parameters.Clear();
            foreach (var name in ParameterNames)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }

        return command;
    }

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<(Type Entity, bool ReturnKey), InsertPlan>> ByModel = new();
}
