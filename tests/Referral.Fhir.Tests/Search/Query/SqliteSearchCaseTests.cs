namespace Referral.Fhir.Tests.Search.Query;

public sealed class SqliteSearchCaseTests(SqliteSearchDatabase database) : IClassFixture<SqliteSearchDatabase>
{
    [Theory]
    [MemberData(nameof(SearchCases.Names), MemberType = typeof(SearchCases))]
    public async Task GivenSeededSqliteStore_WhenSearching_ThenReturnsTheExpectedResources(string name)
    {
        await using var db = database.CreateContext();
        await SearchCaseRunner.RunAsync(db, SearchCases.Named(name));
    }
}
