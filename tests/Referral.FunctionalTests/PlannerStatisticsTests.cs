using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>After a bulk import the node refreshes the planner statistics itself, so searches stay index seeks.</summary>
public abstract class PlannerStatisticsTests(NodeFactory factory)
{
    [Fact]
    public async System.Threading.Tasks.Task A_bulk_import_is_followed_by_fresh_planner_statistics()
    {
        var client = factory.CreateClient();
        Assert.False(await AnalyzedAsync());
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry = [.. Enumerable.Range(0, 60).Select(i => new Bundle.EntryComponent
            {
                Resource = new Patient { Name = [new HumanName { Family = $"Bulk{i}" }] },
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" },
            })],
        };

        using var response = await client.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AnalyzedAsync() && DateTime.UtcNow < deadline)
        {
            await System.Threading.Tasks.Task.Delay(250);
        }

        Assert.True(await AnalyzedAsync(), "no ANALYZE within 30 s of writing 60 resources (threshold 50)");
    }

    private async Task<bool> AnalyzedAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var sql = db.Database.IsSqlite()
            ? "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE name = 'sqlite_stat1'"
            : "SELECT count(*)::int AS \"Value\" FROM pg_stat_user_tables WHERE relname = 'string_index' AND last_analyze IS NOT NULL";
        return await db.Database.SqlQueryRaw<int>(sql).SingleAsync() > 0;
    }
}

public sealed class SqlitePlannerStatisticsTests(SqliteNode node) : PlannerStatisticsTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresPlannerStatisticsTests(PostgresNode node) : PlannerStatisticsTests(node.Factory), IClassFixture<PostgresNode>;
