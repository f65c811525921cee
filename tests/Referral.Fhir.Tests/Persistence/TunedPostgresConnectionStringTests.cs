using Npgsql;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Persistence;

/// <summary>The node tunes its PostgreSQL connections unless the operator's connection string says otherwise.</summary>
public sealed class TunedPostgresConnectionStringTests
{
    [Fact]
    public void A_plain_connection_string_gets_prepared_statements_and_no_reset_on_close()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PersistenceServiceCollectionExtensions.TunedPostgresConnectionString("Host=db;Username=node"));

        Assert.Equal(256, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false")]
    public void The_operators_own_settings_are_kept_however_they_are_spelled(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PersistenceServiceCollectionExtensions.TunedPostgresConnectionString(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }
}
