using System.Globalization;
using System.Text;

namespace Referral.Web.DemoData;

/// <summary>Who a demo patient is: identity, demographics and the case their history follows.</summary>
internal sealed record DemoPatient(
    string ResidentId, string Mpi, string Family, string Given, bool Female, DateTime BirthDate, string Phone, string District,
    DemoCase Case, bool Shared);

/// <summary>
/// Generates the demo patients, deterministically. The alliance patients come from the seed alone, so every node
/// seeded with it holds them with the same resident ID and MPI number; the node's own patients also depend on its
/// organisation, so two nodes hold different ones.
/// </summary>
internal static class DemoPatients
{
    private static readonly string[] FamilyNames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林"];
    private static readonly string[] GivenCharacters = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "华", "平", "红", "霞"];
    private static readonly string[] GivenNames = ["秀英", "建国", "桂兰", "志强", "淑珍", "国华", "玉兰", "建华"];
    // Province-level prefixes of resident ID region codes (11 Beijing … 65 Xinjiang).
    private static readonly int[] Provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65];
    private static readonly string[] Districts = ["东城区", "西城区", "南湖区", "北塘区", "新港区", "江滨区"];

    public static IReadOnlyList<DemoPatient> Generate(DemoDataOptions options, string organizationId)
    {
        var shared = Math.Clamp(options.SharedPatients, 0, options.Patients);
        var residentIds = new HashSet<string>(StringComparer.Ordinal);
        var mpis = new HashSet<string>(StringComparer.Ordinal);
        var patients = new List<DemoPatient>(options.Patients);

        var alliance = new Random(options.RandomSeed);
        for (var i = 0; i < shared; i++)
        {
            patients.Add(Next(alliance, residentIds, mpis, _ => $"MPI{(100000 + i).ToString(CultureInfo.InvariantCulture)}", shared: true));
        }

        // Own patients' MPI numbers are drawn above the shared range, so they never collide with an alliance patient's.
        var own = new Random(options.RandomSeed ^ StableHash(organizationId));
        for (var i = shared; i < options.Patients; i++)
        {
            patients.Add(Next(own, residentIds, mpis, r => $"MPI{r.Next(200000, 1000000).ToString(CultureInfo.InvariantCulture)}", shared: false));
        }

        return patients;
    }

    /// <summary>FNV-1a: string.GetHashCode differs from run to run, and the demo must not.</summary>
    public static int StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)hash;
    }

    private static DemoPatient Next(Random random, HashSet<string> residentIds, HashSet<string> mpis, Func<Random, string> mpi, bool shared)
    {
        var female = random.Next(2) == 0;
        var birth = new DateTime(1945, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(random.Next(0, 365 * 40));
        var family = FamilyNames[random.Next(FamilyNames.Length)];
        var given = random.Next(4) == 0
            ? GivenNames[random.Next(GivenNames.Length)]
            : GivenCharacters[random.Next(GivenCharacters.Length)] + (random.Next(2) == 0 ? GivenCharacters[random.Next(GivenCharacters.Length)] : "");
        var cases = DemoCases.All.Where(c => female || !c.FemaleOnly).ToArray();
        var @case = cases[random.Next(cases.Length)];
        var phone = $"13{random.Next(100000000, 999999999).ToString(CultureInfo.InvariantCulture)}";
        var district = Districts[random.Next(Districts.Length)];
        string residentId;
        do
        {
            residentId = ResidentId(random, birth, female);
        }
        while (!residentIds.Add(residentId));

        string number;
        do
        {
            number = mpi(random);
        }
        while (!mpis.Add(number));

        return new DemoPatient(residentId, number, family, given, female, birth, phone, district, @case, shared);
    }

    /// <summary>An 18-character resident ID with a valid ISO 7064 check digit; the region (in a real province) and sequence are random.</summary>
    private static string ResidentId(Random random, DateTime birth, bool female)
    {
        var sequence = random.Next(0, 500) * 2 + (female ? 0 : 1);
        var region = Provinces[random.Next(Provinces.Length)] * 10000 + random.Next(1, 20) * 100 + random.Next(1, 30);
        var body = $"{region.ToString(CultureInfo.InvariantCulture)}{birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{sequence.ToString("000", CultureInfo.InvariantCulture)}";
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }
}
