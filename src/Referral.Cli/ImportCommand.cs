using System.Diagnostics;
using System.Globalization;
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
    public static async Task<int> RunAsync(string[] args)
    {
        var (path, server, token) = Parse(args);
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new CliUsageException($"'{path}' is neither a file nor a folder.");
        if (files.Length == 0)
        {
            throw new CliUsageException($"No *.json files under '{path}'.");
        }

        using var http = new HttpClient { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(10) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var failures = new List<string>();
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

        var seconds = stopwatch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated(
            $"Imported [green]{resources}[/] resources from {files.Length - failures.Count} of {files.Length} bundle(s) in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: [bold]{(resources / Math.Max(seconds, 0.001)).ToString("0", CultureInfo.InvariantCulture)} resources/s[/].");
        foreach (var failure in failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]failed[/] {failure}");
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<(int Entries, string? Error)> ImportFileAsync(HttpClient http, string file)
    {
        var body = await File.ReadAllBytesAsync(file);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        using var response = await http.PostAsync("", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return (0, $"HTTP {(int)response.StatusCode}: {FirstDiagnostic(text)}");
        }

        using var document = JsonDocument.Parse(text);
        return (document.RootElement.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0, null);
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

    private static (string Path, string Server, string? Token) Parse(string[] args)
    {
        string? path = null;
        var server = Environment.GetEnvironmentVariable("REFERRAL_FHIR_BASE") ?? "http://127.0.0.1:5100/fhir";
        string? token = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--server" when i + 1 < args.Length:
                    server = args[++i];
                    break;
                case "--token" when i + 1 < args.Length:
                    token = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || path is not null)
                    {
                        throw new CliUsageException($"Unexpected argument '{args[i]}'.");
                    }

                    path = args[i];
                    break;
            }
        }

        return (path ?? throw new CliUsageException("import needs a file or folder."), server, token);
    }
}
