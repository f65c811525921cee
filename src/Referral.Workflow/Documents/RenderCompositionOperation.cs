using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;

namespace Referral.Workflow.Documents;

/// <summary>
/// <c>POST Composition/[id]/$render-pdf</c>: renders a Composition (the discharge summary of a downward referral) as
/// PDF and files it as a DocumentReference of the Composition's type, its context the Composition. Answers 201 with
/// the DocumentReference, which the downward referral names in supportingInfo next to the Composition.
/// </summary>
public static class RenderCompositionOperation
{
    public static void MapRenderComposition(this IEndpointRouteBuilder fhir) =>
        fhir.MapPost("/Composition/{id}/$render-pdf", RenderAsync);

    private static async Task<IResult> RenderAsync(
        string id, HttpContext context, ResourceStore store, WriteUnit unit, DocumentSources sources, DocumentFonts fonts, CodeDisplays displays,
        IOptions<NodeOptions> node, TimeProvider clock, CancellationToken ct)
    {
        store.Access.Demand(FhirInteraction.Operation, "Composition");
        var families = fonts.Require();
        var composition = (Composition)store.ToResource(await store.ReadAsync("Composition", id, ct));
        var patient = await sources.PatientAsync(composition.Subject, "Composition.subject", ct);
        var entries = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var reference in composition.Section.SelectMany(s => s.Entry).Select(e => e.Reference).OfType<string>().Distinct())
        {
            if (await sources.ReadAsync(reference, ct) is { } resource)
            {
                entries[reference] = resource;
            }
        }

        var custodian = composition.Custodian?.Reference ?? node.Value.Organization;
        var content = new DischargeSummaryContent(
            composition, patient, await sources.OrganizationAsync(custodian, ct),
            await sources.PractitionerAsync(composition.Author.FirstOrDefault(), ct), entries);
        var title = DischargeSummary.Title(content);
        var document = PdfDocumentReference.Create(
            DischargeSummary.Render(content, families, displays), (CodeableConcept?)composition.Type?.DeepCopy() ?? DischargeSummary.DocumentType, title, new ResourceReference($"Patient/{patient.Id}"),
            new ResourceReference($"Composition/{id}"), node.Value.Organization, composition.Author, clock.GetUtcNow());

        var entity = await unit.RunAsync(_ => System.Threading.Tasks.Task.FromResult(store.StageCreate(document)), ct);
        return CrudEndpoints.WriteResponse(context, StatusCodes.Status201Created, entity, document);
    }
}
