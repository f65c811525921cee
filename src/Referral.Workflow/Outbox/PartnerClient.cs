using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Referral.Workflow.Outbox;

/// <summary>
/// Calls a partner node as its client: client-credentials token from the partner's issuer (kept until shortly before
/// it expires, dropped on a 401) and the transaction Bundle posted to its FHIR base.
/// </summary>
public sealed class PartnerClient(IHttpClientFactory http, TimeProvider clock)
{
    public const string HttpClientName = "alliance-partners";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    /// <summary>Null when delivered (2xx); else a short reason for the outbox (status, never payload).</summary>
    public async Task<string?> PostAsync(PartnerOptions partner, string bundleJson, CancellationToken ct)
    {
        try
        {
            using var client = http.CreateClient(HttpClientName);
            var token = await TokenAsync(client, partner, ct);
            using var request = new HttpRequestMessage(HttpMethod.Post, partner.FhirBase.TrimEnd('/'))
            {
                Content = new StringContent(bundleJson, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/fhir+json")),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.ParseAdd("application/fhir+json");
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _tokens.TryRemove(partner.Organization, out _);
            }

            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} from {partner.FhirBase}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return $"{e.GetType().Name} calling {partner.Organization}: {e.Message}";
        }
    }

    private async Task<string> TokenAsync(HttpClient client, PartnerOptions partner, CancellationToken ct)
    {
        if (_tokens.TryGetValue(partner.Organization, out var cached) && cached.Expires > clock.GetUtcNow())
        {
            return cached.Token;
        }

        using var response = await client.PostAsync(partner.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = partner.ClientId,
            ["client_secret"] = partner.ClientSecret,
        }), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the token endpoint answered HTTP {(int)response.StatusCode}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var token = body.RootElement.GetProperty("access_token").GetString()!;
        var lifetime = body.RootElement.TryGetProperty("expires_in", out var expires) ? expires.GetInt32() : 300;
        _tokens[partner.Organization] = (token, clock.GetUtcNow().AddSeconds(Math.Max(lifetime - 60, lifetime / 2)));
        return token;
    }
}
