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
/// EXISTS, that was most of the request. With this interceptor a query whose SQL has run before on that connection
/// runs on the command compiled then, with EF's parameters bound to it. The connection stays open for its context's
/// life (<see cref="KeptOpenSqliteConnection"/>): closing it would finalize every statement compiled on it.
/// A page's LIMIT and OFFSET are written into the statement as literals (<see cref="SqlitePagingLiterals"/>).
/// </summary>
public static class SqliteStatementCache
{
    /// <summary>Distinct statements kept per connection; searches vary in shape, and the rare ones can compile each time.</summary>
    public const int Capacity = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, Statements> ByConnection = new();

    /// <summary>The interceptor of a SQLite context's options (<see cref="CompiledSqliteStatementsExtensions.UseCompiledSqliteStatements"/>).</summary>
    public static IInterceptor Interceptor { get; } = new Reuse();

    /// <summary>
    /// The command compiled for <paramref name="sql"/> on this connection, made now if new; null when the connection
    /// is closed, the cache is full, or that command is still being read. The caller binds its parameters afresh.
    /// </summary>
    public static SqliteCommand? For(SqliteConnection connection, string sql) => Lease(connection, sql)?.Command;

    private static Entry? Lease(SqliteConnection connection, string sql) =>
        connection.State == ConnectionState.Open ? ByConnection.GetValue(connection, c => new Statements(c)).Rent(sql) : null;

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

        public Entry? Rent(string sql)
        {
            if (_bySql.TryGetValue(sql, out var entry))
            {
                return entry.IsBusy ? null : entry;
            }

            if (_bySql.Count >= Capacity)
            {
                return null;
            }

            var command = _connection.CreateCommand();
            command.CommandText = sql;
            entry = new Entry(command);
            _bySql.Add(sql, entry);
            return entry;
        }
    }

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        /// <summary>The reader it last answered with: while that is open the command is not handed out again.</summary>
        public SqliteDataReader? Reader { get; set; }

        public bool IsBusy => Reader is { IsClosed: false };
    }

    /// <summary>Runs EF Core's commands on the connection's compiled command for the same SQL, when there is one to use.</summary>
    private sealed class Reuse : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            if (Compiled(command) is not { } entry)
            {
                return result;
            }

            var reader = entry.Command.ExecuteReader();
            entry.Reader = reader;
            return InterceptionResult<DbDataReader>.SuppressWithResult(reader);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ReaderExecuting(command, eventData, result));

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Compiled(command) is { } entry ? InterceptionResult<int>.SuppressWithResult(entry.Command.ExecuteNonQuery()) : result;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(NonQueryExecuting(command, eventData, result));

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            Compiled(command) is { } entry ? InterceptionResult<object>.SuppressWithResult(entry.Command.ExecuteScalar()!) : result;

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ScalarExecuting(command, eventData, result));

        /// <summary>The compiled command, bound to this execution's parameters and transaction; null to let EF run its own.</summary>
        private static Entry? Compiled(DbCommand command)
        {
            if (command is not SqliteCommand { Connection: { } connection } sqlite
                || Lease(connection, SqlitePagingLiterals.Inline(sqlite)) is not { } entry)
            {
                return null;
            }

            var compiled = entry.Command;
            compiled.Parameters.Clear();
            foreach (SqliteParameter parameter in sqlite.Parameters)
            {
                compiled.Parameters.Add(parameter);
            }

            compiled.Transaction = sqlite.Transaction;
            compiled.CommandTimeout = sqlite.CommandTimeout;
            return entry;
        }
    }
}
