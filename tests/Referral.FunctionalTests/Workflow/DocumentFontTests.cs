using System.Net;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Xunit;

namespace Referral.FunctionalTests.Workflow;

/// <summary>Fonts for rendered documents come from the machine: a wrong path stops the node, a missing font is a clear 503.</summary>
public sealed class DocumentFontTests
{
    [Fact]
    public async System.Threading.Tasks.Task Without_a_font_rendering_answers_503_saying_what_to_install_and_writes_nothing()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Documents:SearchSystemFonts"] = "false" });
        using var client = node.CreateClient();
        var patient = await client.CreateAsync(Referrals.Patient("110101196103145555"));
        var submit = Referrals.Submit(patient.Id, Guid.NewGuid().ToString("N"));
        submit.Entry.RemoveAll(e => e.Resource is Hl7.Fhir.Model.Task);
        var request = (await ReferralDocuments.PostTransactionAsync(client, submit)).Single(r => r.StartsWith("ServiceRequest/", StringComparison.Ordinal));

        using var response = await client.PostAsync($"/fhir/{request}/$referral-letter", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var outcome = await OutcomeAssert.OutcomeAsync(response);
        Assert.Contains("Documents:FontPath", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains("fonts-droid-fallback", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, (await client.SearchAsync("DocumentReference?_summary=count")).Total);
        Assert.Equal("1", (await (await client.GetAsync($"/fhir/{request}")).ReadAsync<ServiceRequest>()).Meta.VersionId);
    }

    [Fact]
    public void A_font_path_that_does_not_exist_or_is_a_collection_stops_the_node_naming_the_setting()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Documents:FontPath"] = "/no/such/font.ttf",
            ["Documents:LatinFontPath"] = typeof(DocumentFontTests).Assembly.Location,
        });

        var error = Assert.ThrowsAny<Exception>(() => node.Server);
        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(validation.Failures, f => f.StartsWith("Documents:FontPath names '/no/such/font.ttf'", StringComparison.Ordinal));
        Assert.Contains(validation.Failures, f => f.StartsWith("Documents:LatinFontPath must name a single-face", StringComparison.Ordinal));
    }

    private static Exception Unwrap(Exception e) => e is AggregateException or InvalidOperationException && e.InnerException is { } inner ? Unwrap(inner) : e;
}
