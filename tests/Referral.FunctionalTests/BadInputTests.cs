using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>Malformed and wrong input: each a 4xx OperationOutcome naming the element, never a 500, never a write.</summary>
public abstract class BadInputTests(NodeFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string, string?> InvalidBodies => new()
    {
        { "{\"resourceType\":\"Patient\",", "application/fhir+json", null },
        { "{\"resourceType\":\"Patient\",\"foo\":1}", "application/fhir+json", "Patient.foo" },
        { "{\"resourceType\":\"Patient\",\"gender\":\"robot\"}", "application/fhir+json", "Patient.gender" },
        { "{\"resourceType\":\"Patient\",\"birthDate\":\"yesterday\"}", "application/fhir+json", "Patient.birthDate" },
        { "{\"resourceType\":\"Patient\",\"active\":\"yes\"}", "application/fhir+json", "Patient.active" },
        { "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}", "application/fhir+json", "resourceType" },
        { "{\"resourceType\":\"Patient\",\"contact\":[{}]}", "application/fhir+json", "Patient.contact" },
        { "{\"resourceType\":\"Nonsense\"}", "application/fhir+json", null },
        { "<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"robot\"/></Patient>", "application/fhir+xml", "Patient.gender" },
        { "<Patient xmlns=\"http://hl7.org/fhir\"><gender", "application/fhir+xml", null },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async System.Threading.Tasks.Task An_invalid_body_gets_400_naming_the_element_and_writes_nothing(string body, string contentType, string? expression)
    {
        var before = await CountAsync();

        using var response = await _client.PostAsync("/fhir/Patient", FhirClient.Body(body, contentType));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.NotEmpty(outcome.Issue);
        Assert.All(outcome.Issue, i => Assert.False(string.IsNullOrEmpty(i.Diagnostics)));
        if (expression is not null)
        {
            Assert.Contains(outcome.Issue, i => i.Expression.Any(e => e.StartsWith(expression, StringComparison.Ordinal)));
        }

        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task An_update_whose_body_id_differs_from_the_url_is_refused_naming_id()
    {
        using var response = await _client.PutAsync("/fhir/Patient/abc", FhirClient.Body(new Patient { Id = "xyz" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.Equal("id", outcome.Issue[0].Expression.Single());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_body_in_an_unsupported_format_gets_415()
    {
        using var response = await _client.PostAsync("/fhir/Patient", FhirClient.Body("name=x", "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.NotEmpty((await response.ReadAsync<OperationOutcome>()).Issue);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_oversize_body_gets_413()
    {
        var big = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + new string('x', 13 * 1024 * 1024) + "\"}]}";

        using var response = await _client.PostAsync("/fhir/Patient", FhirClient.Body(big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("Patient?birthdate=notadate", "birthdate")]
    [InlineData("Observation?value-quantity=abc", "value-quantity")]
    [InlineData("Patient?_count=-1", "_count")]
    [InlineData("Observation?code:in=http://nowhere.example/ValueSet/unknown", "code:in")]
    [InlineData("Observation?code-value-quantity=http://loinc.org|8480-6", "code-value-quantity")]
    public async System.Threading.Tasks.Task A_search_value_that_does_not_parse_gets_400_naming_the_parameter(string query, string parameter)
    {
        using var response = await _client.GetAsync($"/fhir/{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Expression.Contains(parameter) || (i.Diagnostics ?? "").Contains(parameter, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/fhir/Patient/bad$id")]
    [InlineData("/fhir/Patient/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/fhir/NotAType/123")]
    public async System.Threading.Tasks.Task A_bad_id_or_type_in_the_url_gets_a_4xx_outcome(string url)
    {
        using var response = await _client.GetAsync(url);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.NotEmpty((await response.ReadAsync<OperationOutcome>()).Issue);
    }

    [Fact]
    public async System.Threading.Tasks.Task Deeply_nested_json_is_refused_without_a_server_error()
    {
        var nested = "{\"resourceType\":\"Patient\",\"extension\":[" + string.Concat(Enumerable.Repeat("{\"url\":\"http://x\",\"extension\":[", 200)) +
                     string.Concat(Enumerable.Repeat("]}", 200)) + "]}";

        using var response = await _client.PostAsync("/fhir/Patient", FhirClient.Body(nested));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<int> CountAsync() => (await _client.SearchAsync("Patient?_summary=count")).Total ?? -1;
}

public sealed class SqliteBadInputTests(SqliteNode node) : BadInputTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresBadInputTests(PostgresNode node) : BadInputTests(node.Factory), IClassFixture<PostgresNode>;
