using Referral.Cli;
using Referral.Tests;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The CLI's <c>import</c> command against a whole node in memory: it authenticates by itself, and says why when it cannot.</summary>
public sealed class ImportCommandTests(SqliteNode node) : IClassFixture<SqliteNode>
{
    private const string Server = "http://localhost/fhir";

    private NodeFactory Factory => node.Factory;

    [Fact]
    public async System.Threading.Tasks.Task Importing_with_client_credentials_fetches_a_token_and_stores_the_bundle()
    {
        var before = await PatientCountAsync();

        var exitCode = await ImportCommand.RunAsync(
            [SyntheaData.Files[0], "--server", Server, "--client-id", "scripts", "--client-secret", "scripts-demo-secret"],
            Factory.Server.CreateHandler());

        Assert.Equal(0, exitCode);
        Assert.Equal(before + 1, await PatientCountAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task Importing_without_a_token_stops_at_the_refusal_and_says_how_to_authenticate()
    {
        var before = await PatientCountAsync();

        var failure = await Assert.ThrowsAsync<CliFailureException>(() =>
            ImportCommand.RunAsync([SyntheaData.Folder, "--server", Server], Factory.Server.CreateHandler()));

        Assert.Contains("HTTP 401", failure.Message, StringComparison.Ordinal);
        Assert.Contains("--client-id", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, await PatientCountAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_refused_token_request_shows_the_issuers_status_and_error()
    {
        var failure = await Assert.ThrowsAsync<CliFailureException>(() =>
            ImportCommand.RunAsync(
                [SyntheaData.Files[0], "--server", Server, "--client-id", "scripts", "--client-secret", "not-the-secret"],
                Factory.Server.CreateHandler()));

        Assert.Contains("http://localhost/connect/token", failure.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_client", failure.Message, StringComparison.Ordinal);
    }

    private async Task<int> PatientCountAsync() => (await Factory.CreateClient().SearchAsync("Patient?_summary=count")).Total ?? -1;
}
