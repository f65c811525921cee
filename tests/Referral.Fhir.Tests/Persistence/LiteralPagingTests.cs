using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Tests.Search.Query;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

public sealed class LiteralPagingTests(SqliteSearchDatabase database) : IClassFixture<SqliteSearchDatabase>
{
    [Fact]
    public void On_SQLite_the_page_bounds_are_literals_so_the_compiled_statement_is_reused()
    {
        using var db = database.CreateContext();

        var sql = db.Resources.OrderBy(r => r.Sid).Page(db, 40, 21).ToQueryString();

        // SQLite compiles a statement again whenever a bound LIMIT or OFFSET changes value.
        Assert.Contains("LIMIT 21 OFFSET 40", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_holds_the_rows_after_the_skipped_ones()
    {
        using var db = database.CreateContext();
        var all = await db.Resources.OrderBy(r => r.Sid).Select(r => r.Sid).ToListAsync();

        var page = await db.Resources.OrderBy(r => r.Sid).Page(db, 2, 3).Select(r => r.Sid).ToListAsync();

        Assert.Equal(all.Skip(2).Take(3), page);
    }
}
