using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;
using Referral.Persistence;

namespace Referral.Web;

/// <summary>
/// Fills an empty store with synthetic demo patients (generated, deterministic; no real person) so a fresh node has
/// something to search: patients with resident-ID identifiers, an oncology problem and a few labs each.
/// </summary>
public static class DemoDataSeeder
{
    public const string ResidentIdSystem = "urn:oid:2.16.156.10011.1.5";

    private static readonly string[] FamilyNames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"];
    private static readonly string[] GivenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"];

    private static readonly (string Code, string Display)[] Problems =
    [
        ("C22.0", "肝细胞癌 Hepatocellular carcinoma"),
        ("C18.9", "结肠恶性肿瘤 Malignant neoplasm of colon"),
        ("C34.1", "上叶支气管或肺恶性肿瘤 Malignant neoplasm of upper lobe, bronchus or lung"),
        ("C50.9", "乳腺恶性肿瘤 Malignant neoplasm of breast"),
        ("C16.9", "胃恶性肿瘤 Malignant neoplasm of stomach"),
        ("B18.1", "慢性乙型病毒性肝炎 Chronic viral hepatitis B"),
    ];

    public static async System.Threading.Tasks.Task SeedDemoDataAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoDataOptions>>().Value;
        if (!options.Seed)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        if (await db.Resources.AnyAsync())
        {
            return;
        }

        var store = scope.ServiceProvider.GetRequiredService<ResourceStore>();
        var unit = scope.ServiceProvider.GetRequiredService<WriteUnit>();
        var random = new Random(options.RandomSeed);
        var today = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
        // The hospital under the id its users' tokens name, so its patients are theirs.
        var organizationId = node.Organization["Organization/".Length..];
        await unit.RunAsync(async ct =>
        {
            var hospital = new Organization
            {
                Id = organizationId,
                Name = node.Name,
                Identifier = [new Identifier("urn:alliance:organization", organizationId)],
                Active = true,
            };
            await store.StageUpdateAsync(hospital, organizationId, null, "PUT", ct);
            for (var i = 0; i < options.Patients; i++)
            {
                SeedPatient(store, random, today, i, organizationId);
            }

            return true;
        }, CancellationToken.None);
        app.Logger.LogInformation("Seeded {Count} synthetic demo patients", options.Patients);
    }

    private static void SeedPatient(ResourceStore store, Random random, DateTimeOffset today, int index, string organizationId)
    {
        var female = random.Next(2) == 0;
        var birth = new DateTime(1940, 1, 1).AddDays(random.Next(0, 365 * 45));
        var family = FamilyNames[random.Next(FamilyNames.Length)];
        var given = GivenNames[random.Next(GivenNames.Length)] + (random.Next(2) == 0 ? GivenNames[random.Next(GivenNames.Length)] : "");
        var patient = new Patient
        {
            Identifier =
            [
                new Identifier(ResidentIdSystem, ResidentId(random, birth, female)),
                new Identifier("urn:alliance:mpi", $"MPI{(100000 + index).ToString(CultureInfo.InvariantCulture)}"),
            ],
            Name = [new HumanName { Family = family, Given = [given], Text = family + given }],
            Gender = female ? AdministrativeGender.Female : AdministrativeGender.Male,
            BirthDate = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, $"13{random.Next(100000000, 999999999).ToString(CultureInfo.InvariantCulture)}")],
            Address = [new Address { City = "市辖区", State = "省", Country = "CN" }],
            ManagingOrganization = new ResourceReference($"Organization/{organizationId}"),
        };
        var stored = store.StageCreate(patient);
        var subject = new ResourceReference($"Patient/{stored.ResourceId}");
        var (code, display) = Problems[random.Next(Problems.Length)];
        store.StageCreate(new Condition
        {
            Subject = subject,
            Code = new CodeableConcept("http://hl7.org/fhir/sid/icd-10", code, display),
            ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            RecordedDate = today.AddDays(-random.Next(10, 900)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        store.StageCreate(new Observation
        {
            Status = ObservationStatus.Final,
            Subject = subject,
            Code = new CodeableConcept("http://loinc.org", "1834-1", "Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma"),
            Value = new Quantity((decimal)Math.Round(random.NextDouble() * 400, 1), "ng/mL", "http://unitsofmeasure.org") { Code = "ng/mL" },
            Effective = new FhirDateTime(today.AddDays(-random.Next(1, 365))),
        });
    }

    /// <summary>An 18-character resident ID with a valid ISO 7064 check digit; the region and sequence are random.</summary>
    private static string ResidentId(Random random, DateTime birth, bool female)
    {
        var sequence = random.Next(0, 500) * 2 + (female ? 0 : 1);
        var body = $"{random.Next(110000, 659999).ToString(CultureInfo.InvariantCulture)}{birth:yyyyMMdd}{sequence.ToString("000", CultureInfo.InvariantCulture)}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }
}
