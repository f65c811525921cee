using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Referral.Persistence;

/// <summary>
/// Keeps SQLite's compiled statements between queries. Microsoft.Data.Sqlite compiles a command's SQL on every new
/// command (dotnet/efcore#14044) and EF Core makes a new command for every query, so each request paid for parsing
/// and planning its SQL again: for the organisation-scoped read, whose filter is a few kilobytes of correlated
/// EXISTS, that was most of the request. With this interceptor a query whose SQL
/// has run before on that connection runs on the command compiled then, with EF's parameters bound to it.
/// The connection stays open for its context's life (<see cref="KeptOpenSqliteConnection"/>): closing it would
/// finalize every statement compiled on it.
/// </summary>
public static class SqliteStatementCache
{
    /// <summary>Distinct statements kept per connection; searches vary in shape, and the rare ones can compile each time.</summary>
    public const int Capacity = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, Statements> ByConnection = new();

    /// <summary>The interceptor to add to a SQLite context's options, with <see cref="KeptOpenSqliteConnection"/>.</summary>
    public static IInterceptor Interceptor { get; } = new Reuse();

    /// <summary>
    /// The command compiled for <paramref name="sql"/> on this connection, made now if new; null when the connection
    /// is closed, the cache is full, or that command is still being read. The caller binds its parameters afresh.
    /// </summary>
    public static SqliteCommand? For(SqliteConnection connection, string sql)
    {
        if (connection.State != ConnectionState.Open)
        {
            return null;
        }

        var statements = ByConnection.GetValue(connection, c => new Statements(c));
        return statements.Rent(sql);
    }

    /// <summary>One connection's compiled commands. A connection serves one context, so one request, at a time.</summary>
    private sealed class Statements
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<string, Entry> _bySql = new(StringComparer.Ordinal);

        public Statements(SqliteConnection connection)
        {
            _connection = connection;
            // Closing a SQLite connection disposes its commands: what was compiled on it is gone.
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState != ConnectionState.Open)
                {
                    _bySql.Clear();
                }
            };
        }

        public SqliteCommand? Rent(string sql)
        {
            if (_bySql.TryGetValue(sql, out var entry))
            {
                return entry.IsBusy ? null : entry.Command;
            }

            if (_bySql.Count >= Capacity)
            {
                return null;
            }

            var command = _connection.CreateCommand();
            command.CommandText = sql;
            _bySql.Add(sql, new Entry(command));
            return command;
        }

        /// <summary>Notes the reader a command answered with, so it is not handed out again while that reader is open.</summary>
        public void Reading(SqliteCommand command, SqliteDataReader reader)
        {
            if (_bySql.TryGetValue(command.CommandText, out var entry) && ReferenceEquals(entry.Command, command))
            {
                entry.Reader = reader;
            }
        }

        public static Statements? Of(SqliteConnection connection) => ByConnection.TryGetValue(connection, out var s) ? s : null;
    }

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public SqliteDataReader? Reader { get; set; }

        public bool IsBusy => Reader is { IsClosed: false };
    }

    /// <summary>Runs EF Core's commands on the connection's compiled command for the same SQL, when there is one to use.</summary>
    private sealed class Reuse : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Compiled(command, eventData) is { } compiled ? InterceptionResult<DbDataReader>.SuppressWithResult(Read(compiled)) : result;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ReaderExecuting(command, eventData, result));

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Compiled(command, eventData) is { } compiled ? InterceptionResult<int>.SuppressWithResult(compiled.ExecuteNonQuery()) : result;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(NonQueryExecuting(command, eventData, result));

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Compiled(command, eventData) is { } compiled ? InterceptionResult<object>.SuppressWithResult(compiled.ExecuteScalar()!) : result;

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ScalarExecuting(command, eventData, result));

        private static SqliteDataReader Read(SqliteCommand compiled)
        {
            var reader = compiled.ExecuteReader();
            Statements.Of(compiled.Connection!)?.Reading(compiled, reader);
            return reader;
        }

        /// <summary>The compiled command, bound to this execution's parameters and transaction; null to let EF run its own.</summary>
        private static SqliteCommand? Compiled(DbCommand command, CommandEventData _)
        {
            if (command is not SqliteCommand { Connection: { } connection } sqlite || For(connection, sqlite.CommandText) is not { } compiled)
            {
                return null;
            }

            compiled.Parameters.Clear();
            foreach (SqliteParameter parameter in sqlite.Parameters)
            {
                compiled.Parameters.Add(parameter);
            }

            compiled.Transaction = sqlite.Transaction;
            compiled.CommandTimeout = sqlite.CommandTimeout;
            return compiled;
        }
    }
}
