using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

// EF Core's SQLite connection service is public but marked internal API (EF1001); overriding its close is the one
// customisation needed, and ReplaceService is EF's documented way to make it.
#pragma warning disable EF1001
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;

namespace Referral.Persistence;

/// <summary>
/// The store's SQLite connection, open from its pooled context's first query until the context is disposed. EF Core
/// opens and closes the connection around every query and when a context returns to the pool; on SQLite, closing
/// finalizes every statement compiled on the connection, which <see cref="SqliteStatementCache"/> exists to keep.
/// An open SQLite connection outside a transaction holds no lock: each statement's read snapshot ends when it is reset.
/// </summary>
public sealed class KeptOpenSqliteConnection(
    RelationalConnectionDependencies dependencies,
    IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    protected override void CloseDbConnection()
    {
        if (DbConnection.State == ConnectionState.Broken)
        {
            base.CloseDbConnection();
        }
    }

    protected override Task CloseDbConnectionAsync()
    {
        CloseDbConnection();
        return Task.CompletedTask;
    }
}
/// <summary>Makes a SQLite context keep its statements compiled: its connection kept open, its queries run on the compiled ones.</summary>
public static class CompiledSqliteStatementsExtensions
{
    public static DbContextOptionsBuilder UseCompiledSqliteStatements(this DbContextOptionsBuilder options) =>
        options.ReplaceService<ISqliteRelationalConnection, KeptOpenSqliteConnection>().AddInterceptors(SqliteStatementCache.Interceptor);
}
#pragma warning restore EF1001
