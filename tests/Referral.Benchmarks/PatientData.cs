using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>Deterministic synthetic Patients: patient <c>n</c> always has the same names, gender, birth date and MRN.</summary>
internal static class PatientData
{
    public const string MrnSystem = "urn:bench:mrn";

    private static readonly string[] Families =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    ];

    private static readonly string[] Givens =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
        "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Donald", "Ashley",
    ];

    private static readonly DateOnly Epoch = new(1930, 1, 1);

    public static string Family(int n) => Families[n % Families.Length];

    public static byte[] Patient(int n)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WritePatient(writer, n);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A transaction Bundle creating patients <paramref name="first"/> .. <paramref name="first"/>+<paramref name="count"/>-1.</summary>
    public static byte[] TransactionBundle(int first, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 300);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("resourceType", "Bundle");
            writer.WriteString("type", "transaction");
            writer.WriteStartArray("entry");
            for (var n = first; n < first + count; n++)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("resource");
                WritePatient(writer, n);
                writer.WriteStartObject("request");
                writer.WriteString("method", "POST");
                writer.WriteString("url", "Patient");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePatient(Utf8JsonWriter writer, int n)
    {
        writer.WriteStartObject();
        writer.WriteString("resourceType", "Patient");
        writer.WriteStartArray("identifier");
        writer.WriteStartObject();
        writer.WriteString("system", MrnSystem);
        writer.WriteString("value", n.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteStartArray("name");
        writer.WriteStartObject();
        writer.WriteString("family", Family(n));
        writer.WriteStartArray("given");
        writer.WriteStringValue(Givens[n / Families.Length % Givens.Length]);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("gender", n % 2 == 0 ? "female" : "male");
        writer.WriteString("birthDate", Epoch.AddDays(n * 7 % 30_000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }
}
