using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Persistence;

namespace Referral.Fhir.Features.Persistence;

/// <summary>
/// Runs one write (a request, or a whole transaction Bundle) in a database transaction, committed before the response
/// is sent. When a concurrent writer got there first (same version stored twice, or the version read is no longer
/// current) the whole unit is retried on fresh state, so concurrent updates are serialized and none is lost.
/// </summary>
public sealed class WriteUnit(
    FhirDbContext db, ResourceStore store, WriteVolume volume, SqliteWriterQueue sqliteWriters, IWriteAttribution attribution, IEnumerable<IWriteRule> rules,
    IEnumerable<ICommitObserver> observers)
{
    private const int MaxAttempts = 8;

    /// <summary>Up to this many written rows are checked against the write scope one by one; more in one query.</summary>
    private const int MaxRowsCheckedOneByOne = 4;

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        using var turn = db.OnSqlite ? await sqliteWriters.EnterAsync(ct) : null;
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await BeginAsync(ct);
            try
            {
                var result = await work(ct);
                if (attribution.For([.. store.PeekStaged().Where(e => !e.IsDeleted)]) is { } provenance)
                {
                    store.StageCreate(provenance);
                }

                await store.SaveAsync(ct);
                var staged = store.TakeStaged();
                await RequireWithinWriteScopeAsync(staged, ct);
                foreach (var rule in rules)
                {
                    await rule.CheckAsync(db, staged, ct);
                }

                // Rules may stage rows of their own (an outbox message announcing the change, a booked Slot): same transaction.
                await store.SaveAsync(ct);
                IReadOnlyList<ResourceEntity> written = [.. staged, .. store.TakeStaged()];

                await transaction.CommitAsync(ct);
                volume.Add(written.Count);
                foreach (var observer in observers)
                {
                    observer.Committed(written);
                }

                return result;
            }
            catch (Exception e) when (IsWriteConflict(e))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                store.TakeStaged();
                if (attempt == MaxAttempts)
                {
                    throw new ConflictException("The resource was changed by another request at the same time; please retry.");
                }

                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
            catch
            {
                db.ChangeTracker.Clear();
                store.TakeStaged();
                throw;
            }
        }
    }

    /// <summary>
    /// Every version written must land where the caller may write (e.g. a partner node only into the compartments
    /// of patients referred to it); checked on the saved index rows inside the transaction, so a refusal rolls it all back.
    /// </summary>
    private async Task RequireWithinWriteScopeAsync(IReadOnlyList<ResourceEntity> staged, CancellationToken ct)
    {
        if (store.Access.WriteScope(db) is not { } scope)
        {
            return;
        }

        var written = staged.Where(e => !e.IsDeleted).ToList();
        if (written.Count == 0)
        {
            return;
        }

        // A few rows (a single create or update): one prepared check per row, instead of EF walking the whole filter.
        if (written.Count <= MaxRowsCheckedOneByOne && store.Access.ReadScopeKey is { } key)
        {
            foreach (var entity in written)
            {
                if (!await ScopedReads.IsWithinAsync(db, key, scope, entity, ct))
                {
                    throw OutsideWriteScope(entity);
                }
            }

            return;
        }

        var sids = written.Select(e => e.Sid).ToList();
        var allowed = await db.Resources.Where(r => sids.Contains(r.Sid)).Where(scope).Select(r => r.Sid).ToListAsync(ct);
        if (allowed.Count < sids.Count)
        {
            throw OutsideWriteScope(written.First(e => !allowed.Contains(e.Sid)));
        }
    }

    private static ForbiddenException OutsideWriteScope(ResourceEntity outside) =>
        new($"{outside.ResourceType}/{outside.ResourceId} would be outside the patient compartments your organisation may write to.");

    private Task<IDbContextTransaction> BeginAsync(CancellationToken ct)
    {
        // EF Core wraps every SaveChanges inside a transaction in a savepoint, so that a failed save leaves the
        // transaction usable; a unit never goes on after a failed save (it rolls back whole and retries), and on
        // PostgreSQL each savepoint is two more round trips per save. Set per unit: a pooled context is reset to the default.
        db.Database.AutoSavepointsEnabled = false;
        // SQLite: BEGIN IMMEDIATE takes the write lock up front, so writers queue instead of failing on upgrade.
        return db.OnSqlite
            ? db.Database.BeginTransactionAsync(ct)
            : db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
    }

    private static bool IsWriteConflict(Exception e) => e switch
    {
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: Npgsql.PostgresException pg } => pg.SqlState is "23505" or "40001" or "40P01",
        DbUpdateException { InnerException: Microsoft.Data.Sqlite.SqliteException sqlite } => sqlite.SqliteErrorCode is 19 or 5 or 6,
        // From the version inserter: the same version stored twice (unique index), or the database busy/locked.
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067 || sqlite.SqliteErrorCode is 5 or 6,
        // From the version inserter's COPY: the same version stored twice (unique index), or a serialization failure.
        Npgsql.PostgresException pg => pg.SqlState is "23505" or "40001" or "40P01",
        _ => false,
    };
}
