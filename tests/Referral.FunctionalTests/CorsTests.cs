using System.Net;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>CORS: configured app origins may call the API from a browser with FHIR's headers; nobody else, and nobody by default.</summary>
public sealed class CorsTests
{
    private const string App = "https://referrals.hospital.example";

    private static readonly Dictionary<string, string> AppOrigins = new()
    {
        ["Cors:AllowedOrigins:0"] = App,
        ["Cors:AllowedOrigins:1"] = "http://localhost:5173",
    };

    [Fact]
    public async System.Threading.Tasks.Task A_configured_origin_passes_preflight_with_the_headers_a_FHIR_client_sends()
    {
        using var node = new ConfiguredNode("Sqlite", AppOrigins);
        var client = node.Factory.CreateClient();

        using var response = await client.SendAsync(Preflight(App, "PUT", "authorization,content-type,if-match,if-none-match,if-none-exist,prefer"));

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.Equal(App, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("PUT", Header(response, "Access-Control-Allow-Methods") ?? "", StringComparison.Ordinal);
        var allowed = (Header(response, "Access-Control-Allow-Headers") ?? "").ToLowerInvariant();
        foreach (var header in new[] { "authorization", "content-type", "if-match", "if-none-match", "if-none-exist", "prefer" })
        {
            Assert.Contains(header, allowed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_configured_origin_can_read_the_version_and_location_headers()
    {
        using var node = new ConfiguredNode("Sqlite", AppOrigins);
        var client = node.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirClient.Body(new Hl7.Fhir.Model.Patient { Name = [new() { Family = "Cors" }] }) };
        request.Headers.Add("Origin", App);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(App, Header(response, "Access-Control-Allow-Origin"));
        var exposed = (Header(response, "Access-Control-Expose-Headers") ?? "").ToLowerInvariant();
        foreach (var header in new[] { "etag", "location", "last-modified", "content-location" })
        {
            Assert.Contains(header, exposed, StringComparison.Ordinal);
        }

        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://referrals.hospital.example.evil.example")]
    [InlineData("http://referrals.hospital.example")]
    [InlineData("null")]
    public async System.Threading.Tasks.Task Another_origin_is_given_no_CORS_permission(string origin)
    {
        using var node = new ConfiguredNode("Sqlite", AppOrigins);
        var client = node.Factory.CreateClient();

        using var preflight = await client.SendAsync(Preflight(origin, "GET", "authorization"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/metadata");
        request.Headers.Add("Origin", origin);
        using var get = await client.SendAsync(request);

        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Null(Header(get, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async System.Threading.Tasks.Task With_no_configured_origins_no_origin_is_allowed()
    {
        using var node = new NodeFactory("Sqlite");
        var client = node.CreateClient();

        using var preflight = await client.SendAsync(Preflight(App, "GET", "authorization"));

        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://app.example/path")]
    [InlineData("app.example")]
    [InlineData("ftp://app.example")]
    public void An_origin_that_is_not_scheme_host_and_port_stops_the_node_at_start(string origin)
    {
        using var node = new ConfiguredNode("Sqlite", new Dictionary<string, string> { ["Cors:AllowedOrigins:0"] = origin });

        var error = Assert.ThrowsAny<Exception>(() => node.Factory.CreateClient());

        Assert.Contains("Cors:AllowedOrigins", error.ToString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Preflight(string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/fhir/Patient/123");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
