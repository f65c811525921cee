using System.Threading.Channels;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Task = System.Threading.Tasks.Task;

namespace Referral.Identity.Audit;

/// <summary>
/// Stores AuditEvents in the FHIR store with group commit: requests hand over their event and wait; the writer
/// commits whatever has queued up (up to <see cref="AuditOptions.MaxBatch"/>) in one transaction and then releases
/// them all, so every event is durable before its response is sent without one commit per request.
/// </summary>
public sealed class AuditWriter(IServiceScopeFactory scopes, IOptions<AuditOptions> options, ILogger<AuditWriter> logger) : BackgroundService
{
    private sealed record Pending(AuditEvent Event, PreparedIndex Index, TaskCompletionSource Stored);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// Completes once the event is committed; faults when it could not be (the request then fails rather than go
    /// unaudited). The caller extracts the index rows, so that work runs on the requests' threads, not in the single writer.
    /// </summary>
    public Task WriteAsync(AuditEvent audit, PreparedIndex index)
    {
        var pending = new Pending(audit, index, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending)
            ? pending.Stored.Task
            : Task.FromException(new InvalidOperationException("The node is shutting down; the access could not be audited."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: refuse new events, store the ones already waiting.
            _queue.Writer.TryComplete();
            await DrainAsync(batch);
        }
    }

    private async Task DrainAsync(List<Pending> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < options.Value.MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await StoreAsync(batch);
                batch.ForEach(p => p.Stored.TrySetResult());
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not store {Count} audit events; their requests fail", batch.Count);
                batch.ForEach(p => p.Stored.TrySetException(e));
            }
        }
    }

    private async Task StoreAsync(List<Pending> batch)
    {
        // A scope with no HTTP caller: the node writes its own audit trail, unrestricted by any caller's policy.
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ResourceStore>();
        var unit = scope.ServiceProvider.GetRequiredService<WriteUnit>();
        await unit.RunAsync(_ =>
        {
            foreach (var pending in batch)
            {
                store.StageCreate(pending.Event, index: pending.Index);
            }

            return Task.FromResult(batch.Count);
        }, CancellationToken.None);
    }
}
