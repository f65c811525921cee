using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Identity.Issuer;
using Referral.Persistence;
using Referral.Workflow;

namespace Referral.Web.DemoData;

/// <summary>
/// Fills an empty store with synthetic demo data (generated, deterministic; no real person): the alliance's hospitals,
/// this node's staff (the Practitioners its demo users sign in as), patients with their insurance (<see cref="DemoInsurance"/>) and oncology histories
/// (<see cref="DemoPatients"/>, <see cref="DemoClinicalHistory"/>) and, if asked, Slots reserved for alliance referrals
/// (<see cref="DemoGreenChannel"/>).
/// </summary>
public static class DemoDataSeeder
{
    public const string ResidentIdSystem = DemoCodes.ResidentIdSystem;

    public static async System.Threading.Tasks.Task SeedDemoDataAsync(this WebApplication app, CancellationToken ct = default)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!options.Seed)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        if (await db.Resources.AnyAsync(ct))
        {
            return;
        }

        var store = scope.ServiceProvider.GetRequiredService<ResourceStore>();
        var unit = scope.ServiceProvider.GetRequiredService<WriteUnit>();
        var today = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        var partners = app.Services.GetRequiredService<IOptions<AllianceOptions>>().Value.Partners;
        var users = app.Configuration.GetSection(EmbeddedIssuerOptions.Section).Get<EmbeddedIssuerOptions>()?.Users ?? [];
        // The hospital under the id its users' tokens name, so its patients are theirs.
        var organizationId = node.Organization["Organization/".Length..];
        var patients = DemoPatients.Generate(options, organizationId);
        var consenting = await unit.RunAsync(async token =>
        {
            await store.StageUpdateAsync(DemoStaff.Hospital(organizationId, node.Name), organizationId, null, "PUT", token);
            foreach (var partner in partners)
            {
                await store.StageUpdateAsync(DemoStaff.Hospital(partner.OrganizationId, partner.Name ?? partner.OrganizationId), partner.OrganizationId, null, "PUT", token);
            }

            ResourceReference? clinician = null;
            foreach (var (practitioner, role) in DemoStaff.ForUsers(users, organizationId))
            {
                await store.StageUpdateAsync(practitioner, practitioner.Id!, null, "PUT", token);
                await store.StageUpdateAsync(role, role.Id!, null, "PUT", token);
                clinician ??= role.Code.Any(c => c.Coding.Any(x => x.Code == "doctor")) ? role.Practitioner : null;
            }

            var context = new DemoHistoryContext(
                today, new ResourceReference(node.Organization, node.Name), [.. partners.Select(p => new ResourceReference(p.Organization, p.Name ?? p.OrganizationId))], clinician);
            var history = new DemoClinicalHistory(context, new Random(options.RandomSeed ^ DemoPatients.StableHash(organizationId + "/history")), Stage);
            foreach (var slot in DemoGreenChannel.Reserve(node.Organization, options.ReservedSlots, today, Stage).ToList())
            {
                Stage(slot);
            }

            return patients.Count(p =>
            {
                var subject = Stage(ToPatient(p, node));
                Stage(DemoInsurance.For(p, subject));
                return history.Write(p, subject);
            });
        }, ct);
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoDataSeeder).Namespace!).LogInformation(
            "Seeded {Count} synthetic demo patients for {Organization}: {Shared} alliance patients, {Consenting} with a sharing consent",
            patients.Count, node.Organization, patients.Count(p => p.Shared), consenting);

        ResourceReference Stage(Resource resource) => new($"{resource.TypeName}/{store.StageCreate(resource).ResourceId}");
    }

    private static Patient ToPatient(DemoPatient patient, NodeOptions node) => new()
    {
        Identifier =
        [
            new Identifier(DemoCodes.ResidentIdSystem, patient.ResidentId),
            new Identifier(DemoCodes.MpiSystem, patient.Mpi),
        ],
        Active = true,
        Name = [new HumanName { Family = patient.Family, Given = [patient.Given], Text = patient.Family + patient.Given }],
        Gender = patient.Female ? AdministrativeGender.Female : AdministrativeGender.Male,
        BirthDate = patient.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, patient.Phone)],
        Address = [new Address { District = patient.District, City = "市辖区", State = "省", Country = "CN" }],
        ManagingOrganization = new ResourceReference(node.Organization, node.Name),
    };
}
