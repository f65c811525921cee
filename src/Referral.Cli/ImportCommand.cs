using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace Referral.Cli;

/// <summary>
/// <c>import &lt;file|folder&gt;</c>: posts FHIR transaction Bundles to a node's base URL, one request per file, with a
/// progress bar, and prints resources per second. Uses only the public FHIR API, like any other client.
/// </summary>
public static class ImportCommand
{
    /// <param name="args">The arguments after <c>import</c>.</param>
    /// <param name="handler">The HTTP handler under every request; null for a real network client (tests pass an in-memory server's).</param>
    public static async Task<int> RunAsync(string[] args, HttpMessageHandler? handler = null)
    {
        var arguments = ImportArguments.Parse(args, Environment.GetEnvironmentVariable);
        var files = Directory.Exists(arguments.Path)
            ? Directory.GetFiles(arguments.Path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(arguments.Path) ? [arguments.Path] : throw new CliUsageException($"'{arguments.Path}' is neither a file nor a folder.");
        if (files.Length == 0)
        {
            throw new CliUsageException($"No *.json files under '{arguments.Path}'.");
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = new Uri(arguments.Server.ToString().TrimEnd('/') + "/");
        http.Timeout = TimeSpan.FromMinutes(10);
        var token = arguments.Token;
        if (arguments.Credentials is { } credentials)
        {
            token = await credentials.RequestTokenAsync(http);
        }

        SetToken(http, token);
        var failures = new List<string>();
        string? refusal = null;
        var resources = 0;
        var stopwatch = Stopwatch.StartNew();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"Importing {files.Length} bundle(s)", maxValue: files.Length);
                foreach (var file in files)
                {
                    var result = await ImportFileAsync(http, file);
                    if (result.Status == HttpStatusCode.Unauthorized && arguments.Credentials is { } renewable)
                    {
                        // A client-credentials token may simply have expired during a long import: get a fresh one once.
                        SetToken(http, await renewable.RequestTokenAsync(http));
                        result = await ImportFileAsync(http, file);
                    }

                    if (result.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    {
                        // Every other file would be refused the same way: stop and say why.
                        refusal = Refusal(result, arguments, file);
                        return;
                    }

                    if (result.Error is null)
                    {
                        resources += result.Entries;
                    }
                    else
                    {
                        failures.Add($"{Path.GetFileName(file)}: {result.Error}");
                    }

                    task.Increment(1);
                }
            });
        stopwatch.Stop();

        if (refusal is not null)
        {
            throw new CliFailureException(refusal);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated(
            $"Imported [green]{resources}[/] resources from {files.Length - failures.Count} of {files.Length} bundle(s) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: [bold]{(resources / Math.Max(seconds, 0.001)).ToString("0", CultureInfo.InvariantCulture)} resources/s[/].");
        foreach (var failure in failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]failed[/] {failure}");
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static void SetToken(HttpClient http, string? token) =>
        http.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);

    private static string Refusal(FileResult result, ImportArguments arguments, string file)
    {
        var reason = $"The FHIR server {arguments.Server} refused {Path.GetFileName(file)} with HTTP {(int)result.Status} ({result.Status}): {result.Detail}";
        var hint = (result.Status, arguments.Token ?? (arguments.Credentials is null ? null : "client credentials")) switch
        {
            (HttpStatusCode.Unauthorized, null) =>
                $"It needs a bearer token: pass --client-id and --client-secret (or {ImportArguments.ClientIdVariable} / {ImportArguments.ClientSecretVariable}), or --token.",
            (HttpStatusCode.Unauthorized, _) =>
                "The token was not accepted: it may have expired, been revoked, or been issued by another node's issuer.",
            _ => "The caller is authenticated but may not write these resources: use a client whose role, scopes (e.g. system/*.cruds) and organisation allow it.",
        };
        return reason + " " + hint;
    }

    private static async Task<FileResult> ImportFileAsync(HttpClient http, string file)
    {
        var body = await File.ReadAllBytesAsync(file);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        using var response = await http.PostAsync("", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            // A bearer refusal often carries its reason only in WWW-Authenticate (error_description="…"), not in the body.
            var challenge = response.Headers.WwwAuthenticate.ToString();
            var detail = text.Length > 0 ? FirstDiagnostic(text) : challenge.Length > 0 ? challenge : "(empty body)";
            return new FileResult(response.StatusCode, 0, detail);
        }

        using var document = JsonDocument.Parse(text);
        return new FileResult(response.StatusCode, document.RootElement.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0, null);
    }

    private static string FirstDiagnostic(string outcomeJson)
    {
        try
        {
            using var document = JsonDocument.Parse(outcomeJson);
            return document.RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString() ?? outcomeJson;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return outcomeJson.Length > 200 ? outcomeJson[..200] : outcomeJson;
        }
    }

    /// <summary>What one bundle's POST came back with; <see cref="Detail"/> says why when it failed.</summary>
    private sealed record FileResult(HttpStatusCode Status, int Entries, string? Detail)
    {
        public string? Error => Detail is null ? null : $"HTTP {(int)Status}: {Detail}";
    }
}
