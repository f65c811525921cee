using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Query;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>Runs a <see cref="SearchCase"/> through <see cref="SearchService"/> and checks the result.</summary>
internal static class SearchCaseRunner
{
    /// <summary>"Now" for every case, so date <c>ap</c> margins do not move with the real clock.</summary>
    public static DateTimeOffset Now { get; } = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static SearchService Service { get; } = new(new SearchParameterRegistry(), clock: new FixedClock(Now));

    public static async Task RunAsync(FhirDbContext db, SearchCase search)
    {
        var result = await Service.SearchAsync(db, search.Type, search.Parameters, strict: true, CancellationToken.None);

        var ids = result.Matches.Select(m => m.ResourceId).ToArray();
        if (search.Ordered)
        {
            Assert.Equal(search.Expected, ids);
        }
        else
        {
            Assert.Equal(search.Expected.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        }

        if (search.Included is { } included)
        {
            Assert.Equal(included.Order(StringComparer.Ordinal), result.Included.Select(i => i.ResourceId).Order(StringComparer.Ordinal));
        }

        if (search.Total is { } total)
        {
            Assert.Equal(total, result.Total);
        }

        if (search.HasMore is { } hasMore)
        {
            Assert.Equal(hasMore, result.HasMore);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
