namespace Referral.Fhir.Tests.Search.Query;

public sealed class PostgresSearchCaseTests(PostgresSearchDatabase database) : IClassFixture<PostgresSearchDatabase>
{
    [PostgresFact]
    public async Task GivenSeededPostgresStore_WhenRunningEverySearchCase_ThenEachReturnsTheExpectedResources()
    {
        var failures = new List<string>();
        foreach (var search in SearchCases.All)
        {
            await using var db = database.CreateContext();
            try
            {
                await SearchCaseRunner.RunAsync(db, search);
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or InvalidOperationException or Npgsql.PostgresException)
            {
                failures.Add($"{search.Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
