using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Referral.Persistence;

namespace Referral.Fhir.Features.Access;

/// <summary>
/// A query EF Core has written once, run as a plain command with one value bound afresh on each execution. The query
/// is written with a probe in that value's place (a value no real query uses, captured so that EF binds it as a
/// parameter), which is how the parameter is found among those of the organisation filter, whose values stay as EF
/// bound them. Skips EF's command, reader and shaper layers, and on PostgreSQL Npgsql's parse of the named parameters
/// (<see cref="NpgsqlPositionalSql"/>); on SQLite it runs on the connection's compiled statement
/// (<see cref="SqliteStatementCache"/>). The SQL must not bind a LIMIT: SQLite compiles such a statement again whenever
/// the LIMIT is bound.
/// </summary>
internal sealed class ProbedCommand
{
    private readonly string _sql;

    /// <summary>EF's parameters as it bound them: the scope's values stay, the probed one is replaced on each execution.</summary>
    private readonly DbParameter[] _parameters;

    private readonly int _probed;

    /// <summary>The SQL refers to its parameters by position ($1 …), so they go unnamed.</summary>
    private readonly bool _positional;

    public ProbedCommand(IQueryable query, object probe)
    {
        using var command = query.CreateDbCommand();
        _parameters = [.. command.Parameters.Cast<DbParameter>()];
        var positional = command is NpgsqlCommand ? NpgsqlPositionalSql.Positional(command.CommandText, [.. _parameters.Select(p => p.ParameterName)]) : null;
        _positional = positional is not null;
        _sql = positional ?? command.CommandText;
        _probed = Array.FindIndex(_parameters, p => Equals(p.Value, probe));
        if (_probed < 0)
        {
            throw new InvalidOperationException($"EF Core bound no parameter for the probed value: {_sql}");
        }
    }

    /// <summary>The first row read with <paramref name="read"/>, or the default when there is none.</summary>
    public async Task<T?> FirstOrDefaultAsync<T>(FhirDbContext db, object value, Func<DbDataReader, T> read, CancellationToken ct)
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
                Bind(command, value);
                await using var reader = await command.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct) ? read(reader) : default;
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

    /// <summary>Every row, read with <paramref name="read"/>, on <paramref name="connection"/> (open, no transaction), which the caller owns.</summary>
    public async Task<List<T>> ToListAsync<T>(DbConnection connection, object value, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        Bind(command, value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private void Bind(DbCommand command, object value)
    {
        command.Parameters.Clear();
        for (var i = 0; i < _parameters.Length; i++)
        {
            command.Parameters.Add(Copy(_parameters[i], i == _probed ? value : _parameters[i].Value, _positional));
        }
    }

    /// <summary>
    /// The parameter with its name and type and the given value. Not its size: EF sized it to the value it was
    /// written with (the probe), and both providers cut a longer value to that size.
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
