namespace Referral.Workflow.Outbox;

/// <summary>
/// Per scope (one request, or one piece of background work): notes that an outbox message was staged and wakes the
/// dispatcher when the scope ends. The write unit commits before its scope ends, so the dispatcher finds the message;
/// after a rollback the extra round simply finds nothing.
/// </summary>
public sealed class OutboxWakeUp(OutboxSignal signal) : IDisposable
{
    private bool _staged;

    public void MessageStaged() => _staged = true;

    public void Dispose()
    {
        if (_staged)
        {
            _staged = false;
            signal.Wake();
        }
    }
}
