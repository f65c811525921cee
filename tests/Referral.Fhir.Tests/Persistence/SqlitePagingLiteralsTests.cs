using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>
/// SQLite compiles a page's statement with its LIMIT and OFFSET as literals, so a compiled statement is reused instead
/// of being compiled again for every new bound value, while EF keeps sending (and caching) parameters.
/// </summary>
public sealed class SqlitePagingLiteralsTests : IAsyncLifetime
{
    private TemporarySqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TemporarySqliteStore.CreateAsync("paging-literals");
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        for (var i = 0; i < 10; i++)
        {
            db.Resources.Add(new ResourceEntity { ResourceType = "Basic", ResourceId = $"b{i}", VersionId = 1, Method = "POST", Json = "{}" });
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task EF_sends_the_bounds_as_parameters_and_SQLite_gets_them_as_literals()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();

        await using var command = (SqliteCommand)Basics(db).Skip(4).Take(3).CreateDbCommand();

        Assert.Contains("LIMIT @", command.CommandText, StringComparison.Ordinal);
        var inlined = SqlitePagingLiterals.Inline(command);
        Assert.EndsWith("LIMIT 3 OFFSET 4", inlined.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("LIMIT @", inlined, StringComparison.Ordinal);
    }

    [Fact]
    public void SQL_without_a_bound_page_is_left_as_it_is()
    {
        using var command = new SqliteCommand("SELECT 'LIMIT @x' LIMIT 1");
        command.Parameters.AddWithValue("@y", 5);

        Assert.Equal("SELECT 'LIMIT @x' LIMIT 1", SqlitePagingLiterals.Inline(command));
    }

    [Fact]
    public async Task Pages_of_one_shape_run_on_one_pooled_context_each_hold_the_rows_after_the_skipped_ones()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var all = await Basics(db).ToListAsync();

        // The same EF query twice with other bounds: two statements, each run with EF's parameters still bound.
        Assert.Equal(all.Skip(2).Take(3), await Basics(db).Skip(2).Take(3).ToListAsync());
        Assert.Equal(all.Skip(6).Take(3), await Basics(db).Skip(6).Take(3).ToListAsync());
        Assert.Equal(all.Skip(2).Take(3), await Basics(db).Skip(2).Take(3).ToListAsync());
    }

    private static IQueryable<string> Basics(FhirDbContext db) =>
        db.Resources.Where(r => r.ResourceType == "Basic").OrderBy(r => r.ResourceId).Select(r => r.ResourceId);
}
