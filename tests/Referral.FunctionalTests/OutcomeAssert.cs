using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>Checks that a refusal is a FHIR OperationOutcome a client can act on, and that it gives nothing internal away.</summary>
public static class OutcomeAssert
{
    // Type, namespace and stack-trace shapes that must never reach a client.
    private static readonly string[] InternalMarkers =
        ["Exception", "   at ", "System.", "Microsoft.", "Hl7.", "Referral.", "Npgsql", "SQLite Error", "Sqlite", "StackTrace", ".cs:line"];

    /// <summary>A 4xx OperationOutcome with at least one issue that says something; returns it.</summary>
    public static async Task<OperationOutcome> RefusedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"Expected a 4xx, got {(int)response.StatusCode}: {Clip(text)}");
        return await OutcomeAsync(response, text);
    }

    /// <summary>An OperationOutcome body in FHIR JSON whose text names no exception type, namespace or stack frame.</summary>
    public static async Task<OperationOutcome> OutcomeAsync(HttpResponseMessage response, string? text = null)
    {
        text ??= await response.Content.ReadAsStringAsync();
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        foreach (var marker in InternalMarkers)
        {
            Assert.False(text.Contains(marker, StringComparison.Ordinal), $"The response shows '{marker}': {Clip(text)}");
        }

        var outcome = await response.ReadAsync<OperationOutcome>();
        Assert.NotEmpty(outcome.Issue);
        Assert.All(outcome.Issue, i => Assert.False(string.IsNullOrWhiteSpace(i.Diagnostics)));
        return outcome;
    }

    private static string Clip(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
