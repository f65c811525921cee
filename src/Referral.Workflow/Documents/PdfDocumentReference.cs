using System.Security.Cryptography;
using Hl7.Fhir.Model;

namespace Referral.Workflow.Documents;

/// <summary>A rendered PDF filed as a DocumentReference: the bytes inline (base64), with SHA-1 hash and size as FHIR defines them.</summary>
public static class PdfDocumentReference
{
    public const string ContentType = "application/pdf";

    public static DocumentReference Create(
        byte[] pdf, CodeableConcept type, string title, ResourceReference subject, ResourceReference related, string custodian,
        IEnumerable<ResourceReference> authors, DateTimeOffset now) => new()
        {
            Status = DocumentReferenceStatus.Current,
            DocStatus = CompositionStatus.Final,
            Type = type,
            Subject = subject,
            Date = now,
            Author = [.. authors],
            Custodian = new ResourceReference(custodian),
            Description = title,
            Content =
        [
            new DocumentReference.ContentComponent
            {
                Attachment = new Attachment
                {
                    ContentType = ContentType,
                    Language = "zh-CN",
                    Data = pdf,
                    // Attachment.size is unsignedInt in R4; the SDK's Size property is the R5 integer64, serialized as a string.
                    SizeUnsignedInt = pdf.Length,
                    // Attachment.hash is the SHA-1 of the data (FHIR R4), used for integrity, not for security.
#pragma warning disable CA5350
                    Hash = SHA1.HashData(pdf),
#pragma warning restore CA5350
                    Title = title,
                    CreationElement = new FhirDateTime(now),
                },
            },
        ],
            Context = new DocumentReference.ContextComponent { Related = [related] },
        };
}
