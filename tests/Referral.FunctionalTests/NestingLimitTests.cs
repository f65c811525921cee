using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>A raised <c>Fhir:MaxJsonDepth</c> holds end to end: what the input limit accepts can be stored, served and patched.</summary>
public sealed class NestingLimitTests
{
    [Fact]
    public async System.Threading.Tasks.Task A_resource_deeper_than_64_levels_is_stored_and_served_when_MaxJsonDepth_allows_it()
    {
        using var node = new ConfiguredNode("Sqlite", new Dictionary<string, string> { ["Fhir:MaxJsonDepth"] = "128" });
        var client = node.Factory.CreateClient();
        // 50 extensions around one with a value: 103 JSON levels.
        var json = "{\"resourceType\":\"Patient\",\"extension\":[" +
            string.Concat(Enumerable.Repeat("{\"url\":\"http://example.org/x\",\"extension\":[", 50)) +
            "{\"url\":\"http://example.org/x\",\"valueString\":\"deep\"}" + string.Concat(Enumerable.Repeat("]}", 50)) + "]}";

        using var created = await client.PostAsync("/fhir/Patient", new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/fhir+json")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // From Location, not the body: the test's own JSON reader stops at the default 64 levels.
        var id = created.Headers.Location!.ToString().Split('/')[^3];

        foreach (var url in new[] { $"/fhir/Patient/{id}", $"/fhir/Patient/{id}?_pretty=true", $"/fhir/Patient?_id={id}&_pretty=true", $"/fhir/Patient/{id}?_format=xml" })
        {
            using var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        }

        using var patched = await client.PatchAsync($"/fhir/Patient/{id}",
            new StringContent("[{\"op\":\"add\",\"path\":\"/birthDate\",\"value\":\"1970-01-01\"}]", Encoding.UTF8, MediaTypeHeaderValue.Parse("application/json-patch+json")));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
    }
}
