using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>
/// Sends a client-credentials access token of the node's embedded issuer on every request to that node (and on no
/// other, so the baseline endpoint sees the same requests as before), renewing it before it expires.
/// </summary>
internal sealed class BearerTokenHandler(Uri nodeBase, string clientId, string clientSecret, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>Renew this long before expiry, so no measured request ever carries a token that just lapsed.</summary>
    private static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _renewing = new(1, 1);
    private volatile string? _token;
    private long _renewAt;

    /// <summary>Fetches the first token, so a node that refuses the client fails the run before seeding starts.</summary>
    public async Task AuthenticateAsync(CancellationToken ct) => await RenewAsync(force: true, ct);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && Uri.Compare(uri, nodeBase, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.Ordinal) == 0)
        {
            if (_token is null || Stopwatch.GetTimestamp() >= Interlocked.Read(ref _renewAt))
            {
                await RenewAsync(force: false, cancellationToken);
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _renewing.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task RenewAsync(bool force, CancellationToken ct)
    {
        await _renewing.WaitAsync(ct);
        try
        {
            // Another request may have renewed it while this one waited.
            if (!force && _token is not null && Stopwatch.GetTimestamp() < Interlocked.Read(ref _renewAt))
            {
                return;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(nodeBase, "connect/token"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = clientId,
                    ["client_secret"] = clientSecret,
                }),
            };
            using var response = await base.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InfrastructureException($"the node refused a token to client '{clientId}' (HTTP {(int)response.StatusCode}): {body}");
            }

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var lifetime = TimeSpan.FromSeconds(root.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.GetInt32() : 300);
            var renewIn = lifetime > RenewalMargin * 2 ? lifetime - RenewalMargin : lifetime / 2;
            _token = root.GetProperty("access_token").GetString()
                ?? throw new InfrastructureException("the token response has no access_token: " + body);
            Interlocked.Exchange(ref _renewAt, Stopwatch.GetTimestamp() + (long)(renewIn.TotalSeconds * Stopwatch.Frequency));
        }
        finally
        {
            _renewing.Release();
        }
    }
}
