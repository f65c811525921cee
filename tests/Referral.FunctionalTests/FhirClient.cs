using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Referral.FunctionalTests;

/// <summary>Thin helpers over HttpClient for FHIR JSON requests in tests.</summary>
public static class FhirClient
{
    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static StringContent Body(Resource resource) => Body(JsonSerializer.Serialize(resource, Json));

    public static StringContent Body(string json, string contentType = "application/fhir+json") =>
        new(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
        where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonSerializer.Deserialize<Resource>(text, Json) as T
            ?? throw new InvalidOperationException($"Expected a {typeof(T).Name}, got {(int)response.StatusCode}: {text}");
    }

    public static async Task<T> CreateAsync<T>(this HttpClient client, T resource)
        where T : Resource
    {
        using var response = await client.PostAsync($"/fhir/{resource.TypeName}", Body(resource));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Create failed with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.ReadAsync<T>();
    }

    public static async Task<Bundle> SearchAsync(this HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/fhir/{query}");
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Search {query} failed with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.ReadAsync<Bundle>();
    }

    public static IEnumerable<T> Matches<T>(this Bundle bundle)
        where T : Resource =>
        bundle.Entry.Where(e => e.Search?.Mode is null or Bundle.SearchEntryMode.Match).Select(e => e.Resource).OfType<T>();
}
