using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Workflow.Referrals;

namespace Referral.Workflow.Documents;

/// <summary>
/// <c>POST ServiceRequest/[id]/$referral-letter</c>: renders the referral form (转诊单) from the referral as stored now,
/// files it as a DocumentReference (LOINC 57133-1, the PDF inline) and adds it to the ServiceRequest's supportingInfo,
/// in one transaction; a letter rendered before is superseded. Called before the referral's Task is submitted, so the
/// letter travels in the package; once the Task exists the package has been built and the call is refused (409).
/// Answers 201 with the DocumentReference.
/// </summary>
public static class ReferralLetterOperation
{
    public static void MapReferralLetter(this IEndpointRouteBuilder fhir) =>
        fhir.MapPost("/ServiceRequest/{id}/$referral-letter", RenderAsync);

    private static async Task<IResult> RenderAsync(
        string id, HttpContext context, ResourceStore store, WriteUnit unit, DocumentSources sources, DocumentFonts fonts, CodeDisplays displays,
        IOptions<NodeOptions> node, TimeProvider clock, CancellationToken ct)
    {
        store.Access.Demand(FhirInteraction.Operation, "ServiceRequest");
        var families = fonts.Require();
        var stored = await store.ReadAsync("ServiceRequest", id, ct);
        var request = (ServiceRequest)store.ToResource(stored);
        var referralId = ReferralTask.ReferralId(request)
            ?? throw new BusinessRuleException("Only a referral (a ServiceRequest with an alliance referral identifier) has a referral letter.", "ServiceRequest.identifier");
        await RequireNotSubmittedAsync(store, referralId, ct);
        var performer = request.Performer.FirstOrDefault()?.Reference
            ?? throw new BusinessRuleException("The referral names no receiving organisation.", "ServiceRequest.performer");
        var patient = await sources.PatientAsync(request.Subject, "ServiceRequest.subject", ct);
        var records = new List<Resource>();
        var previousLetters = new List<DocumentReference>();
        foreach (var reference in request.ReasonReference.Concat(request.SupportingInfo).Select(r => r.Reference).Distinct())
        {
            switch (await sources.ReadAsync(reference, ct))
            {
                case DocumentReference earlier when IsLetter(earlier):
                    previousLetters.Add(earlier);
                    break;
                case { } record:
                    records.Add(record);
                    break;
            }
        }

        var now = clock.GetUtcNow();
        var content = new ReferralLetterContent(
            request, patient, await sources.OrganizationAsync(node.Value.Organization, ct), await sources.OrganizationAsync(performer, ct),
            await sources.PractitionerAsync(request.Requester, ct), records, await sources.SharingConsentAsync(patient.Id!, performer, ct),
            await sources.CoverageAsync(patient.Id!, ct), now);
        var title = ReferralLetter.Title(content);
        var letter = PdfDocumentReference.Create(
            ReferralLetter.Render(content, families, displays), ReferralLetter.DocumentType, title, new ResourceReference($"Patient/{patient.Id}"),
            new ResourceReference($"ServiceRequest/{id}"), node.Value.Organization,
            [.. new[] { request.Requester, new ResourceReference(node.Value.Organization) }.OfType<ResourceReference>()], now);
        letter.RelatesTo = [.. previousLetters.Select(p => new DocumentReference.RelatesToComponent
        {
            Code = DocumentRelationshipType.Replaces,
            Target = new ResourceReference($"DocumentReference/{p.Id}"),
        })];

        var entity = await unit.RunAsync(async token =>
        {
            // Again inside the transaction: a Task created while the letter was rendered has built its package without it.
            await RequireNotSubmittedAsync(store, referralId, token);
            var created = store.StageCreate(letter);
            foreach (var previous in previousLetters)
            {
                previous.Status = DocumentReferenceStatus.Superseded;
                await store.StageUpdateAsync(previous, previous.Id!, null, "PUT", token);
            }

            request.SupportingInfo.RemoveAll(s => previousLetters.Any(p => s.Reference == $"DocumentReference/{p.Id}"));
            request.SupportingInfo.Add(new ResourceReference($"DocumentReference/{created.ResourceId}", "转诊单 Referral letter"));
            // Based on the version read: a concurrent change of the referral makes this 412, not a lost update.
            await store.StageUpdateAsync(request, id, stored.VersionId, "PUT", token);
            return created;
        }, ct);
        return CrudEndpoints.WriteResponse(context, StatusCodes.Status201Created, entity, letter);
    }

    private static async System.Threading.Tasks.Task RequireNotSubmittedAsync(ResourceStore store, string referralId, CancellationToken ct)
    {
        if (await ReferralLookup.TaskAsync(store.Db, store.Serializer, referralId, ct) is not null)
        {
            throw new ConflictException(
                $"Referral {referralId} has been submitted (its Task exists), so its package is built: render the letter before creating the Task.", "ServiceRequest");
        }
    }

    private static bool IsLetter(DocumentReference document) =>
        document.Type?.Coding.Any(c => c.System == "http://loinc.org" && c.Code == "57133-1") == true
        && document.Content.Any(c => c.Attachment?.ContentType == PdfDocumentReference.ContentType);
}
