using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>The read by id sends PostgreSQL its SQL with positional parameters, numbered as EF Core bound them.</summary>
public sealed class NpgsqlPositionalSqlTests
{
    [Fact]
    public void Each_named_parameter_becomes_its_position_in_the_bound_order_wherever_it_appears()
    {
        var sql = "SELECT r.\"Json\" FROM resource AS r WHERE r.\"ResourceId\" = @id AND (r.\"Org\" = @organizationId OR EXISTS (SELECT 1 FROM x WHERE x.\"Org\" = @organizationId))";

        var positional = NpgsqlPositionalSql.Positional(sql, ["@organizationId", "@id"]);

        Assert.Equal("SELECT r.\"Json\" FROM resource AS r WHERE r.\"ResourceId\" = $2 AND (r.\"Org\" = $1 OR EXISTS (SELECT 1 FROM x WHERE x.\"Org\" = $1))", positional);
    }

    [Fact]
    public void A_parameter_whose_name_starts_another_is_not_confused_with_it()
    {
        Assert.Equal("a = $2 AND b = $1", NpgsqlPositionalSql.Positional("a = @p0 AND b = @p", ["p", "p0"]));
    }

    [Fact]
    public void An_at_sign_inside_a_word_is_left_alone()
    {
        Assert.Equal("a = 'someone@example' AND b = $1", NpgsqlPositionalSql.Positional("a = 'someone@example' AND b = @p", ["@p"]));
    }

    [Fact]
    public void Sql_naming_a_parameter_that_was_not_bound_stays_named()
    {
        Assert.Null(NpgsqlPositionalSql.Positional("a = @p AND b = @q", ["@p"]));
    }

    [Fact]
    public void Several_statements_stay_named()
    {
        Assert.Null(NpgsqlPositionalSql.Positional("SELECT @p; SELECT @p", ["@p"]));
    }
}
