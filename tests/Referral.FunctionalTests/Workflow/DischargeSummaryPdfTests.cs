using System.Net;
using Hl7.Fhir.Model;
using UglyToad.PdfPig;
using Xunit;

namespace Referral.FunctionalTests.Workflow;

/// <summary><c>Composition/[id]/$render-pdf</c> on one node: long Chinese text wraps and flows onto more pages; a summary without its patient is a 4xx.</summary>
public sealed class DischargeSummaryPdfTests : IClassFixture<SqliteNode>
{
    private readonly HttpClient _client;

    public DischargeSummaryPdfTests(SqliteNode node) => _client = node.Factory.CreateClient();

    [Fact]
    public async System.Threading.Tasks.Task A_long_summary_wraps_onto_several_pages_and_keeps_every_sentence()
    {
        var patient = await _client.CreateAsync(Referrals.Patient("110101196103143333"));
        var plan = await _client.CreateAsync(DownwardReferrals.FollowUpPlan(patient.Id));
        var summary = DownwardReferrals.DischargeSummary(patient.Id, plan.Id);
        var course = string.Concat(Enumerable.Range(1, 60).Select(i => $"第{i}天：患者一般情况稳定，继续观察，无不适主诉。Day {i}: stable. "));
        summary.Section[1].Text.Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>{course}</p><p>末句：顺利出院。</p></div>";
        var stored = await _client.CreateAsync(summary);

        using var response = await _client.PostAsync($"/fhir/Composition/{stored.Id}/$render-pdf", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var document = await response.ReadAsync<DocumentReference>();
        Assert.Equal("18842-5", document.Type.Coding.Single().Code);
        Assert.Equal($"Patient/{patient.Id}", document.Subject.Reference);
        var pdf = ReferralDocuments.Pdf(document);
        using (var parsed = PdfDocument.Open(pdf))
        {
            Assert.True(parsed.NumberOfPages > 1, $"{parsed.NumberOfPages} page(s)");
        }

        var text = ReferralDocuments.PdfText(pdf);
        Assert.Contains("第60天", text, StringComparison.Ordinal);
        Assert.Contains("末句：顺利出院。", text, StringComparison.Ordinal);
        Assert.Contains("Day60:stable.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_composition_whose_patient_was_deleted_is_refused_naming_the_subject()
    {
        var patient = await _client.CreateAsync(Referrals.Patient("110101196103142222"));
        var plan = await _client.CreateAsync(DownwardReferrals.FollowUpPlan(patient.Id));
        var stored = await _client.CreateAsync(DownwardReferrals.DischargeSummary(patient.Id, plan.Id));
        (await _client.DeleteAsync($"/fhir/Patient/{patient.Id}")).EnsureSuccessStatusCode();

        using var response = await _client.PostAsync($"/fhir/Composition/{stored.Id}/$render-pdf", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Composition.subject", (await OutcomeAssert.RefusedAsync(response)).Issue[0].Expression.Single());
        using var missing = await _client.PostAsync("/fhir/Composition/no-such-summary/$render-pdf", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
