using System.Net;
using Hl7.Fhir.Model;
using UglyToad.PdfPig;
using Xunit;

namespace Referral.FunctionalTests.Workflow;

/// <summary>
/// A referral submitted as a doctor does when the letter goes with it: the Consent and ServiceRequest first, then the
/// rendered referral letter (<c>$referral-letter</c>), then the Task that sends the package; and reading PDFs back.
/// </summary>
public static class ReferralDocuments
{
    public const string Loinc = "http://loinc.org";

    public sealed record Submitted(string RequestId, DocumentReference Letter);

    public static async Task<Submitted> SubmitWithLetterAsync(HttpClient client, string patientId, string referralId, params string[] supportingInfo)
    {
        var submit = Referrals.Submit(patientId, referralId, supportingInfo);
        var taskEntry = submit.Entry.Single(e => e.Resource is Hl7.Fhir.Model.Task);
        submit.Entry.Remove(taskEntry);
        var request = await PostTransactionAsync(client, submit).ContinueWith(t => t.Result.Single(r => r.StartsWith("ServiceRequest/", StringComparison.Ordinal)));
        var requestId = request["ServiceRequest/".Length..];

        using var rendered = await client.PostAsync($"/fhir/ServiceRequest/{requestId}/$referral-letter", null);
        Assert.True(rendered.StatusCode == HttpStatusCode.Created, await rendered.Content.ReadAsStringAsync());
        var letter = await rendered.ReadAsync<DocumentReference>();

        var task = (Hl7.Fhir.Model.Task)taskEntry.Resource;
        task.Focus = new ResourceReference(request);
        await client.CreateAsync(task);
        return new Submitted(requestId, letter);
    }

    /// <summary>Posts a transaction and returns the <c>Type/id</c> of every entry it wrote.</summary>
    public static async Task<List<string>> PostTransactionAsync(HttpClient client, Bundle transaction)
    {
        using var response = await client.PostAsync("/fhir", FhirClient.Body(transaction));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.ReadAsync<Bundle>();
        return [.. result.Entry.Select(e => e.Response.Location.Split("/_history", 2)[0]).Select(l => string.Join('/', l.Split('/')[^2..]))];
    }

    /// <summary>All text of a PDF, page after page, as a reader extracts it (spaces removed: layout may split runs).</summary>
    public static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().Select(p => p.Text)).Replace(" ", "", StringComparison.Ordinal);
    }

    public static byte[] Pdf(DocumentReference document)
    {
        var attachment = document.Content.Single().Attachment;
        Assert.Equal("application/pdf", attachment.ContentType);
        Assert.Equal(attachment.Data.Length, attachment.SizeUnsignedInt);
        // Attachment.hash is SHA-1 by the FHIR specification.
#pragma warning disable CA5350
        Assert.Equal(System.Security.Cryptography.SHA1.HashData(attachment.Data), attachment.Hash);
#pragma warning restore CA5350
        return attachment.Data;
    }
}
