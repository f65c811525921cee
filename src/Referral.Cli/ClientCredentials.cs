using System.Text.Json;
using System.Text.Json.Serialization;

namespace Referral.Cli;

/// <summary>An OAuth2 client id and secret, and the node's token endpoint that exchanges them for an access token.</summary>
public sealed record ClientCredentials(string ClientId, string ClientSecret, Uri TokenEndpoint)
{
    /// <summary>The embedded issuer's <c>/connect/token</c> of the node whose FHIR base is <paramref name="fhirBase"/> (<c>…/fhir</c>).</summary>
    public static Uri TokenEndpointFor(Uri fhirBase)
    {
        var path = fhirBase.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/fhir", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/fhir".Length];
        }

        return new Uri(fhirBase, path + "/connect/token");
    }

    /// <summary>Requests an access token by the client-credentials grant; a refusal becomes a <see cref="CliFailureException"/> quoting the issuer.</summary>
    public async Task<string> RequestTokenAsync(HttpClient http, CancellationToken ct = default)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        });
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(TokenEndpoint, form, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailureException($"Could not reach the token endpoint {TokenEndpoint}: {e.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliFailureException(
                    $"The token request for client '{ClientId}' to {TokenEndpoint} was refused with HTTP {(int)response.StatusCode}: {Describe(body)}");
            }

            try
            {
                var answer = JsonSerializer.Deserialize<TokenResponse>(body);
                return answer?.AccessToken is { Length: > 0 } token
                    ? token
                    : throw new CliFailureException($"The token endpoint {TokenEndpoint} answered without an access_token: {Truncate(body)}");
            }
            catch (JsonException)
            {
                throw new CliFailureException($"The token endpoint {TokenEndpoint} answered something other than JSON: {Truncate(body)}");
            }
        }
    }

    /// <summary>The OAuth2 <c>error: error_description</c> of a refusal, else the body as it came.</summary>
    private static string Describe(string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize<TokenResponse>(body);
            if (error?.Error is { } code)
            {
                return error.ErrorDescription is { } description ? $"{code}: {description}" : code;
            }
        }
        catch (JsonException)
        {
            // Not an OAuth2 error document (a proxy's page, say): show it as it is.
        }

        return body.Length == 0 ? "(empty body)" : Truncate(body);
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
