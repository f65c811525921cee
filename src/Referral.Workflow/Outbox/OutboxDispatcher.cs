using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Persistence;

namespace Referral.Workflow.Outbox;

/// <summary>
/// Delivers outbox messages to partner nodes, as soon as <see cref="OutboxSignal"/> says one was committed and at
/// every <see cref="AllianceOptions.DispatchInterval"/>: due messages oldest first, one referral's messages strictly in order
/// (a message waits while an earlier one of its stream is undelivered), failures retried with exponential back-off
/// and jitter up to <see cref="AllianceOptions.MaxRetryDelay"/>. All state is in the database, so delivery resumes
/// after a restart of either node; the receiver's inbox makes a repeated delivery harmless.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes, PartnerClient partners, OutboxSignal signal, SqliteWriterQueue sqliteWriters, IOptions<AllianceOptions> options, TimeProvider clock,
    ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Woken right after a commit that staged a message; the interval still brings retries that fall due.
            await signal.WaitAsync(options.Value.DispatchInterval, stoppingToken);
            try
            {
                await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Outbox dispatch round failed; retrying next round");
            }
        }
    }

    /// <summary>One round: tries every due message whose stream is not blocked by an earlier undelivered one.</summary>
    public async Task DispatchDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var now = clock.GetUtcNow().UtcTicks;
        var due = await db.Outbox.Where(m => m.DeliveredTicks == null && m.NextAttemptTicks <= now).OrderBy(m => m.Id).Take(100).ToListAsync(ct);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in due)
        {
            if (blocked.Contains(message.StreamKey)
                || await db.Outbox.AnyAsync(o => o.StreamKey == message.StreamKey && o.Id < message.Id && o.DeliveredTicks == null, ct))
            {
                blocked.Add(message.StreamKey);
                continue;
            }

            var partner = options.Value.Find(message.Destination);
            var failure = partner is null
                ? $"{message.Destination} is no longer configured under Alliance:Partners"
                : await partners.PostAsync(partner, message.Payload, ct);
            if (failure is null)
            {
                message.DeliveredTicks = clock.GetUtcNow().UtcTicks;
            }
            else
            {
                message.Attempts++;
                message.NextAttemptTicks = clock.GetUtcNow().UtcTicks + RetryDelay(message.Attempts).Ticks;
                message.LastError = failure.Length > 500 ? failure[..500] : failure;
                blocked.Add(message.StreamKey);
                logger.LogWarning("Delivery of {Message} to {Partner} failed (attempt {Attempt}): {Reason}", message.BundleIdentifier, message.Destination, message.Attempts, message.LastError);
            }

            // In this process's writer queue like every other write: colliding on SQLite's lock instead would put the
            // next request's write unit to sleep in the busy handler (measured: a referral submitted just as the previous
            // one was marked delivered waited 120-150 ms).
            using (db.Database.IsSqlite() ? await sqliteWriters.EnterAsync(ct) : null)
            {
                await db.SaveChangesAsync(ct);
            }
        }
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var exponential = TimeSpan.FromMilliseconds(500 * Math.Pow(2, Math.Min(attempts - 1, 20)));
        var capped = exponential < options.Value.MaxRetryDelay ? exponential : options.Value.MaxRetryDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }
}
