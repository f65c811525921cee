namespace Referral.Fhir.Tests;

/// <summary>
/// A fact that needs PostgreSQL: skipped when <c>REFERRAL_TEST_POSTGRES</c> is unset, except under CI=true, where it
/// runs (and fails) so a pipeline can't silently lose the PostgreSQL coverage.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "REFERRAL_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (ConnectionString is null && !IsCi)
        {
            Skip = $"Set {Variable} to a PostgreSQL connection string (a role that may create databases) to run this test.";
        }
    }

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
