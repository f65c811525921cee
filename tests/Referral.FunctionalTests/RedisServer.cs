namespace Referral.FunctionalTests;

/// <summary>The Redis server the test script started (<c>REFERRAL_TEST_REDIS</c>); its absence is a failure, never a skip.</summary>
public static class RedisServer
{
    public static string Configuration =>
        Environment.GetEnvironmentVariable("REFERRAL_TEST_REDIS") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "REFERRAL_TEST_REDIS is not set. Run the suite with 'bash deploy/run-tests.sh', which starts a throw-away Redis server (deploy/redis/start-local.sh).");
}
