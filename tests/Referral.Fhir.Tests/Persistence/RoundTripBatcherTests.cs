using System.Collections.Concurrent;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>
/// Reads that arrive while others are on their way to the database go together in the next round trip, each caller
/// gets its own answer, and nothing waits when nothing is under way. The fake round trips below are held open by the
/// test, so every case is decided by order, not by timing.
/// </summary>
public sealed class RoundTripBatcherTests
{
    private sealed record Row(string Key, int Copy = 0);

    /// <summary>A database whose round trips finish when the test says; it answers every key except "missing".</summary>
    private sealed class HeldDatabase
    {
        public ConcurrentQueue<(IReadOnlyList<string> Keys, TaskCompletionSource Release)> Trips { get; } = new();

        public Exception? Failure { get; set; }

        public async Task<IReadOnlyList<Row>> FetchAsync(IReadOnlyList<string> keys, CancellationToken ct)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Trips.Enqueue((keys, release));
            await release.Task;
            return Failure is { } failure ? throw failure : [.. keys.Where(k => k != "missing").Select(k => new Row(k))];
        }

        public (IReadOnlyList<string> Keys, TaskCompletionSource Release) Trip(int index) => Trips.ElementAt(index);
    }

    private static RoundTripBatcher<string, Row> BatcherOn(HeldDatabase database) =>
        new(database.FetchAsync, row => row.Key, row => row with { Copy = row.Copy + 1 }, StringComparer.Ordinal);

    /// <summary>Starts as many lookups as the batcher sends at once, so that what follows has to wait.</summary>
    private static List<Task<Row?>> FillRoundTrips(RoundTripBatcher<string, Row> batcher) =>
        [.. Enumerable.Range(0, RoundTripBatcher<string, Row>.MaxInFlight).Select(i => batcher.GetAsync($"first-{i}", CancellationToken.None))];

    [Fact]
    public async Task A_lookup_with_nothing_under_way_goes_at_once_on_its_own()
    {
        var database = new HeldDatabase();
        var batcher = BatcherOn(database);

        var lookup = batcher.GetAsync("Patient-1", CancellationToken.None);

        Assert.Single(database.Trips);
        Assert.Equal(["Patient-1"], database.Trip(0).Keys);
        database.Trip(0).Release.SetResult();
        Assert.Equal(new Row("Patient-1"), await lookup);
    }

    [Fact]
    public async Task Lookups_made_while_round_trips_are_under_way_go_together_in_the_next_one_and_each_gets_its_own_answer()
    {
        var database = new HeldDatabase();
        var batcher = BatcherOn(database);
        var first = FillRoundTrips(batcher);

        var queued = new[] { "a", "b", "missing", "c" }.Select(k => (Key: k, Answer: batcher.GetAsync(k, CancellationToken.None))).ToList();

        // Nothing more went: the first lookups, each on its own, are all that is under way.
        Assert.Equal(first.Select((_, i) => $"first-{i}"), database.Trips.Select(t => Assert.Single(t.Keys)));
        var next = await FinishFirstAsync(database);
        Assert.Equal(["a", "b", "missing", "c"], next.Keys);
        next.Release.SetResult();
        foreach (var (key, answer) in queued)
        {
            Assert.Equal(key == "missing" ? null : new Row(key), await answer);
        }

        ReleaseAll(database);
        await Task.WhenAll(first);
    }

    [Fact]
    public async Task One_key_asked_for_twice_in_a_round_trip_is_fetched_once_and_each_caller_holds_an_object_of_its_own()
    {
        var database = new HeldDatabase();
        var batcher = BatcherOn(database);
        var first = FillRoundTrips(batcher);

        var one = batcher.GetAsync("same", CancellationToken.None);
        var two = batcher.GetAsync("same", CancellationToken.None);
        var next = await FinishFirstAsync(database);
        Assert.Equal(["same"], next.Keys);
        next.Release.SetResult();

        var (a, b) = (await one, await two);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotSame(a, b);
        Assert.Equal("same", a.Key);
        Assert.Equal("same", b.Key);
        ReleaseAll(database);
        await Task.WhenAll(first);
    }

    [Fact]
    public async Task A_failed_round_trip_fails_only_its_own_lookups_and_the_next_lookup_goes_to_the_database_again()
    {
        var database = new HeldDatabase { Failure = new InvalidOperationException("connection lost") };
        var batcher = BatcherOn(database);

        var failing = batcher.GetAsync("x", CancellationToken.None);
        database.Trip(0).Release.SetResult();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("connection lost", error.Message);

        database.Failure = null;
        var retried = batcher.GetAsync("x", CancellationToken.None);
        await WaitForTripsAsync(database, 2);
        database.Trip(1).Release.SetResult();
        Assert.Equal(new Row("x"), await retried);
    }

    [Fact]
    public async Task A_caller_that_gives_up_stops_waiting_while_the_others_in_its_round_trip_get_their_answers()
    {
        var database = new HeldDatabase();
        var batcher = BatcherOn(database);
        var first = FillRoundTrips(batcher);
        using var cancel = new CancellationTokenSource();

        var givingUp = batcher.GetAsync("gives-up", cancel.Token);
        var staying = batcher.GetAsync("stays", CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givingUp);

        (await FinishFirstAsync(database)).Release.SetResult();
        Assert.Equal(new Row("stays"), await staying);
        ReleaseAll(database);
        await Task.WhenAll(first);
    }

    [Fact]
    public async Task More_lookups_than_one_round_trip_carries_wait_for_the_next_in_the_order_they_came()
    {
        var database = new HeldDatabase();
        var batcher = BatcherOn(database);
        var first = FillRoundTrips(batcher);
        var keys = Enumerable.Range(0, RoundTripBatcher<string, Row>.MaxBatch + 5).Select(i => $"k{i:D4}").ToList();

        var lookups = keys.Select(k => batcher.GetAsync(k, CancellationToken.None)).ToList();
        var full = await FinishFirstAsync(database);
        Assert.Equal(keys.Take(RoundTripBatcher<string, Row>.MaxBatch), full.Keys);
        full.Release.SetResult();
        await WaitForTripsAsync(database, RoundTripBatcher<string, Row>.MaxInFlight + 2);
        var rest = database.Trip(RoundTripBatcher<string, Row>.MaxInFlight + 1);
        Assert.Equal(keys.Skip(RoundTripBatcher<string, Row>.MaxBatch), rest.Keys);
        rest.Release.SetResult();

        Assert.Equal(keys, (await Task.WhenAll(lookups)).Select(r => r!.Key));
        ReleaseAll(database);
        await Task.WhenAll(first);
    }

    /// <summary>Lets the first round trip finish, and gives the one that follows it with what queued meanwhile.</summary>
    private static async Task<(IReadOnlyList<string> Keys, TaskCompletionSource Release)> FinishFirstAsync(HeldDatabase database)
    {
        database.Trip(0).Release.SetResult();
        await WaitForTripsAsync(database, RoundTripBatcher<string, Row>.MaxInFlight + 1);
        return database.Trip(RoundTripBatcher<string, Row>.MaxInFlight);
    }

    private static void ReleaseAll(HeldDatabase database)
    {
        foreach (var (_, release) in database.Trips)
        {
            release.TrySetResult();
        }
    }

    /// <summary>The next round trip starts on the thread that finished the previous one; this waits until it has.</summary>
    private static async Task WaitForTripsAsync(HeldDatabase database, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (database.Trips.Count < count)
        {
            await Task.Delay(1, timeout.Token);
        }
    }
}
