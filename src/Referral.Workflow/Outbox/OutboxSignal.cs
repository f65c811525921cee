namespace Referral.Workflow.Outbox;

/// <summary>
/// Wakes the <see cref="OutboxDispatcher"/> as soon as a unit of work that staged an outbox message is over, so a
/// message leaves right after its commit instead of at the dispatcher's next poll (up to a whole interval later).
/// </summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one round delivers everything that is due.
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or for <paramref name="interval"/> (wall-clock), whichever comes first.</summary>
    public Task WaitAsync(TimeSpan interval, CancellationToken ct) => _wake.WaitAsync(interval, ct);

    public void Dispose() => _wake.Dispose();
}
