using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Query;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>Runs a <see cref="SearchCase"/> through <see cref="SearchService"/> and checks the result.</summary>
internal static class SearchCaseRunner
{
    public static SearchService Service { get; } = new(new SearchParameterRegistry());

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
}
