using System.Collections.Concurrent;

namespace Referral.Identity.Audit.Journal;

/// <summary>
/// The records waiting for a journal lane. Lanes are threads that block between batches; they wait on a monitor rather
/// than on a task, because a task's wait spins (yielding the CPU in a loop) before it blocks, which with several idle
/// lanes on a 2-core machine took a fifth of the node's CPU.
/// </summary>
internal sealed class LaneQueue
{
    private readonly ConcurrentQueue<PendingAudit> _items = new();

    // A plain object, not a Lock: the lanes wait on it with Monitor.Wait.
    private readonly object _gate = new();

    private int _idleLanes;

    private bool _completed;

    /// <summary>False once completed: the record is not taken.</summary>
    public bool TryAdd(PendingAudit item)
    {
        // Under the lock, so that no record slips in after the lanes have seen the queue completed and empty.
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _items.Enqueue(item);
            if (_idleLanes > 0)
            {
                Monitor.Pulse(_gate);
            }
        }

        return true;
    }

    /// <summary>Takes no more records; the lanes finish what is queued and stop.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until there are records, then takes up to <paramref name="max"/> of them; false once completed and empty.</summary>
    public bool TryTake(List<PendingAudit> batch, int max)
    {
        PendingAudit? first;
        while (!_items.TryDequeue(out first))
        {
            lock (_gate)
            {
                if (_items.IsEmpty)
                {
                    if (_completed)
                    {
                        return false;
                    }

                    // Items are added under this lock, so none can come between this look and the wait.
                    _idleLanes++;
                    Monitor.Wait(_gate);
                    _idleLanes--;
                }
            }
        }

        batch.Add(first);
        while (batch.Count < max && _items.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        return true;
    }
}
