using System.Net;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>Browser-facing hardening on every response, and no caching of FHIR responses (patient data) by proxies.</summary>
public sealed class SecurityHeaderTests(SqliteNode node) : IClassFixture<SqliteNode>
{
    private readonly HttpClient _client = node.Factory.CreateClient();

    [Theory]
    [InlineData("GET", "/fhir/metadata")]
    [InlineData("GET", "/fhir/Patient")]
    [InlineData("GET", "/fhir/Patient/does-not-exist")]
    [InlineData("GET", "/fhir/NotAType")]
    [InlineData("GET", "/fhir/no/such/route/at/all")]
    [InlineData("POST", "/fhir/Patient")]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/not-fhir")]
    public async System.Threading.Tasks.Task Every_response_carries_the_security_headers(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
        {
            request.Content = FhirClient.Body("{\"resourceType\":\"Patient\",\"gender\":\"robot\"}");
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.False(response.Headers.Contains("Server"));
    }

    [Theory]
    [InlineData("/fhir/metadata")]
    [InlineData("/fhir/Patient")]
    [InlineData("/fhir/Patient/does-not-exist")]
    [InlineData("/fhir/_history")]
    public async System.Threading.Tasks.Task Fhir_responses_are_not_stored_by_caches(string url)
    {
        using var response = await _client.GetAsync(url);

        Assert.True(response.Headers.CacheControl?.NoStore, $"{url}: Cache-Control is '{response.Headers.CacheControl}'");
    }

    [Fact]
    public async System.Threading.Tasks.Task Responses_outside_fhir_keep_their_own_caching()
    {
        using var response = await _client.GetAsync("/not-fhir");

        Assert.Null(response.Headers.CacheControl);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_unknown_route_under_fhir_gets_a_404_OperationOutcome()
    {
        using var response = await _client.GetAsync("/fhir/Patient/1/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var outcome = await OutcomeAssert.OutcomeAsync(response);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.NotFound, outcome.Issue.Single().Code);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_method_a_fhir_route_does_not_serve_gets_a_405_OperationOutcome()
    {
        using var response = await _client.PatchAsync("/fhir/Patient", FhirClient.Body("[]", "application/json-patch+json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await OutcomeAssert.OutcomeAsync(response);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}
