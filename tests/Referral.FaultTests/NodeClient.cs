using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Referral.Tests;

namespace Referral.FaultTests;

/// <summary>
/// Calls one node's FHIR API as the admin script client, the way a real client survives a node that crashes: a
/// request that fails in transport (connection refused or reset, timeout) gets no answer, so the caller may retry it.
/// The token comes from the node's own issuer and is fetched again after a 401.
/// </summary>
internal sealed class NodeClient(NodeProcess node) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        BaseAddress = node.BaseUrl,
        // A request to a node killed in mid-answer fails at once (reset); a hung one must not stall the test.
        Timeout = TimeSpan.FromSeconds(20),
    };

    private string? _token;

    public NodeProcess Node => node;

    /// <summary>One attempt: the answer, or null when the node could not be reached or gave none (the outcome is unknown).</summary>
    public async Task<Answer?> TrySendAsync(HttpMethod method, string path, Resource? body = null, string? ifMatch = null, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                _token ??= await TokenAsync(ct);
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                request.Headers.Accept.ParseAdd("application/fhir+json");
                if (body is not null)
                {
                    request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, MediaTypeHeaderValue.Parse("application/fhir+json"));
                }

                if (ifMatch is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                }

                using var response = await _http.SendAsync(request, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    _token = null;
                    continue;
                }

                return new Answer(response.StatusCode, text);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>A search, retried until the node answers (it may be restarting); every page, following the next links.</summary>
    public async Task<List<T>> SearchAllAsync<T>(string query, CancellationToken ct)
        where T : Resource
    {
        var found = new List<T>();
        string? next = "fhir/" + query;
        while (next is not null)
        {
            var page = await UntilAnsweredAsync(HttpMethod.Get, next, ct);
            var bundle = page.Read<Bundle>();
            found.AddRange(bundle.Entry.Where(e => e.Search?.Mode is null or Bundle.SearchEntryMode.Match).Select(e => e.Resource).OfType<T>());
            next = bundle.Link.FirstOrDefault(l => l.Relation == "next")?.Url is { } url ? new Uri(url).PathAndQuery.TrimStart('/') : null;
        }

        return found;
    }

    /// <summary>Retries a read until the node answers with a 2xx (a read changes nothing, so retrying is always safe).</summary>
    public async Task<Answer> UntilAnsweredAsync(HttpMethod method, string path, CancellationToken ct)
    {
        while (true)
        {
            if (await TrySendAsync(method, path, ct: ct) is { } answer)
            {
                if (answer.IsSuccess)
                {
                    return answer;
                }

                if ((int)answer.Status < 500)
                {
                    throw new InvalidOperationException($"{method} {path} at the {node.Name} answered {(int)answer.Status}: {answer.Body}");
                }
            }

            await System.Threading.Tasks.Task.Delay(200, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        using var response = await _http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = AllianceProcesses.ScriptsClientId,
            ["client_secret"] = AllianceProcesses.ScriptsClientSecret,
        }), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            // A node still starting may refuse for a moment; surface it as no answer so the caller retries.
            throw new HttpRequestException($"token request answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("access_token").GetString()!;
    }
}

/// <summary>What a node answered: status and body.</summary>
internal sealed record Answer(HttpStatusCode Status, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public T Read<T>()
        where T : Resource =>
        JsonSerializer.Deserialize<Resource>(Body, NodeClient.Json) as T
        ?? throw new InvalidOperationException($"Expected a {typeof(T).Name}, got {(int)Status}: {Body}");
}
