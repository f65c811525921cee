using System.Diagnostics;
using Referral.Tests;

namespace Referral.FaultTests;

/// <summary>
/// Kills one of the two nodes with SIGKILL at random moments and starts it again after a random pause, until told to
/// stop and each node has been killed at least <see cref="MinKillsEach"/> times. A seeded <see cref="Random"/> picks
/// the node and the waits (the moments a kill lands in a request still depend on timing); each node is among the
/// first two killed.
/// </summary>
internal sealed class Chaos(IReadOnlyList<NodeProcess> nodes, int seed)
{
    public const int MinKillsEach = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Random _random = new(seed);
    private readonly Dictionary<NodeProcess, int> _kills = nodes.ToDictionary(n => n, _ => 0);
    private readonly List<string> _events = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public int Kills(NodeProcess node) => _kills[node];

    /// <summary>What happened when, for the test output.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Runs until <paramref name="enough"/> holds and every node was killed often enough; leaves every node running.</summary>
    public async Task RunAsync(Func<bool> enough, CancellationToken ct)
    {
        while (!enough() || _kills.Values.Any(k => k < MinKillsEach))
        {
            // Up for a while, so requests and deliveries are in flight when the kill lands.
            await Task.Delay(_random.Next(1000, 4000), ct);
            var victim = Victim(enough());
            victim.Kill();
            _kills[victim]++;
            Note($"killed {victim.Name} (kill {_kills[victim]})");

            // Down for a while, so the other side's dispatcher and the clients meet a dead node.
            await Task.Delay(_random.Next(0, 1500), ct);
            await victim.StartAsync(StartTimeout, ct);
            Note($"{victim.Name} healthy again");
        }
    }

    /// <summary>
    /// A random node, except that the second kill takes the node the first one spared (so both die early, while the
    /// clients are busy) and, once <c>enough</c> holds, a node not yet killed <see cref="MinKillsEach"/> times.
    /// </summary>
    private NodeProcess Victim(bool enough)
    {
        var spared = nodes.Where(n => _kills[n] == 0).ToList();
        if (_kills.Values.Sum() > 0 && spared.Count > 0)
        {
            return spared[0];
        }

        var starved = nodes.Where(n => _kills[n] < MinKillsEach).ToList();
        return enough && starved.Count > 0 ? starved[0] : nodes[_random.Next(nodes.Count)];
    }

    private void Note(string what)
    {
        lock (_events)
        {
            _events.Add($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        }
    }
}
