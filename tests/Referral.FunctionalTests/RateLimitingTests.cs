using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The per-client rate limit: a 429 OperationOutcome with Retry-After once the bucket is empty; health checks never limited.</summary>
public sealed class RateLimitingTests
{
    private static readonly Dictionary<string, string> OnePerSecond = new()
    {
        ["RateLimiting:PermitsPerSecond"] = "1",
        ["RateLimiting:Burst"] = "1",
    };

    [Fact]
    public async System.Threading.Tasks.Task A_client_over_its_limit_gets_429_with_Retry_After_and_a_throttled_OperationOutcome()
    {
        using var node = new ConfiguredNode("Sqlite", OnePerSecond);
        var client = node.Factory.CreateClient();

        using var refused = await FirstRefusalAsync(client, "/fhir/Patient");

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        var outcome = await OutcomeAssert.OutcomeAsync(refused);
        Assert.Equal(OperationOutcome.IssueType.Throttled, outcome.Issue.Single().Code);
        Assert.Equal("nosniff", Assert.Single(refused.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async System.Threading.Tasks.Task Health_checks_are_not_limited_even_when_the_client_is_throttled()
    {
        using var node = new ConfiguredNode("Sqlite", OnePerSecond);
        var client = node.Factory.CreateClient();
        using var refused = await FirstRefusalAsync(client, "/fhir/metadata");
        Assert.NotNull(refused);

        for (var i = 0; i < 20; i++)
        {
            using var health = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_disabled_limit_refuses_nothing()
    {
        using var node = new ConfiguredNode("Sqlite", new Dictionary<string, string>(OnePerSecond) { ["RateLimiting:Enabled"] = "false" });
        var client = node.Factory.CreateClient();

        using var refused = await FirstRefusalAsync(client, "/fhir/metadata", attempts: 30);

        Assert.Null(refused);
    }

    [Theory]
    [InlineData("RateLimiting:PermitsPerSecond", "0")]
    [InlineData("RateLimiting:Burst", "0")]
    [InlineData("RateLimiting:Burst", "10")]
    public void A_limit_that_cannot_work_stops_the_node_at_start(string key, string value)
    {
        var settings = new Dictionary<string, string> { ["RateLimiting:PermitsPerSecond"] = "100", ["RateLimiting:Burst"] = "200", [key] = value };
        using var node = new ConfiguredNode("Sqlite", settings);

        var error = Assert.ThrowsAny<Exception>(() => node.Factory.CreateClient());

        Assert.Contains("RateLimiting", error.ToString(), StringComparison.Ordinal);
    }

    // The bucket refills one request a second, so a slow machine may let a few through before the first refusal.
    private static async Task<HttpResponseMessage?> FirstRefusalAsync(HttpClient client, string url, int attempts = 10)
    {
        for (var i = 0; i < attempts; i++)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            response.Dispose();
        }

        return null;
    }
}
