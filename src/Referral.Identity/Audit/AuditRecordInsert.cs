using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Referral.Identity.Audit;

/// <summary>The INSERT of an <see cref="AuditRecord"/> on SQLite, its columns taken from the EF model so it follows the migrations.</summary>
internal sealed class AuditRecordInsert
{
    private static readonly ConditionalWeakTable<IModel, AuditRecordInsert> ByModel = [];
    private readonly IProperty[] _columns;

    private AuditRecordInsert(IModel model)
    {
        var entity = model.FindEntityType(typeof(AuditRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single();
        _columns = [.. entity.GetProperties().Where(p => p != key)];
        var columns = string.Join(", ", _columns.Select(p => Quote(p.GetColumnName(table)!)));
        var values = string.Join(", ", _columns.Select((_, i) => "$p" + i));
        Sql = $"INSERT INTO {Quote(table.Name)} ({columns}) VALUES ({values}) RETURNING {Quote(key.GetColumnName(table)!)}";
    }

    public string Sql { get; }

    public static AuditRecordInsert For(IModel model) => ByModel.GetValue(model, m => new AuditRecordInsert(m));

    /// <summary>Gives a command for <see cref="Sql"/> its parameters, once.</summary>
    public void Prepare(SqliteCommand command)
    {
        if (command.Parameters.Count == _columns.Length)
        {
            return;
        }

        command.Parameters.Clear();
        for (var i = 0; i < _columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i });
        }
    }

    public void Bind(DbCommand command, AuditRecord record)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            command.Parameters[i].Value = _columns[i].GetGetter().GetClrValueUsingContainingEntity(record) ?? DBNull.Value;
        }
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
