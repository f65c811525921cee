using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Features.Search.Query;

namespace Referral.Fhir.Tests.Search.Query;

public sealed class PrefixRangeTests(SqliteSearchDatabase database) : IClassFixture<SqliteSearchDatabase>
{
    [Theory]
    [InlineData("smith", "smiti")]
    [InlineData("a\uD7FF", "a\uE000")]
    [InlineData("a\uFFFF", "a\U00010000")]
    [InlineData("a\U0001F600", "a\U0001F601")]
    [InlineData("何", "佖")]
    public void The_successor_is_the_prefix_with_its_last_code_point_incremented(string prefix, string successor) =>
        Assert.Equal(successor, PrefixRange.Successor(prefix));

    [Theory]
    [InlineData("")]
    [InlineData("a\U0010FFFF")]
    public void A_prefix_without_successor_has_none(string prefix) => Assert.Null(PrefixRange.Successor(prefix));

    [Theory]
    [InlineData("smith", "smith", true)]
    [InlineData("smith", "smithson", true)]
    [InlineData("smith", "smit", false)]
    [InlineData("smith", "smiti", false)]
    [InlineData("smith", "smitha\U0010FFFF", true)]
    [InlineData("a\uFFFF", "a\uFFFFb", true)]
    [InlineData("a\uFFFF", "a\U00010000", false)]
    [InlineData("a\uD7FF", "a\uE000", false)]
    public void Utf8_byte_order_puts_exactly_the_values_that_start_with_the_prefix_in_the_range(string prefix, string value, bool inside)
    {
        var bytes = System.Text.Encoding.UTF8;
        var upper = PrefixRange.Successor(prefix)!;
        var inRange = bytes.GetBytes(value).AsSpan().SequenceCompareTo(bytes.GetBytes(prefix)) >= 0
            && bytes.GetBytes(value).AsSpan().SequenceCompareTo(bytes.GetBytes(upper)) < 0;

        Assert.Equal(value.StartsWith(prefix, StringComparison.Ordinal), inRange);
        Assert.Equal(inside, inRange);
    }

    [Fact]
    public void A_string_search_on_SQLite_is_a_range_without_LIKE_so_its_compiled_statement_is_reused()
    {
        using var db = database.CreateContext();

        var sql = db.StringIndices.Where(StringQueryBuilder.StartsWith(db, "smi")).ToQueryString();

        // SQLite compiles a statement again on every execution when a LIKE pattern is a bound parameter.
        Assert.DoesNotContain("LIKE", sql, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(">=", sql, StringComparison.Ordinal);
        Assert.Contains("<", sql, StringComparison.Ordinal);
    }
}
