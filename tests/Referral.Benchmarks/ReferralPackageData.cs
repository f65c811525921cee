using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Referral.Benchmarks;

/// <summary>
/// The patient records a referral package carries, taken from one Synthea bundle: its Patient and the clinical
/// records a referral sends (Conditions, MedicationRequests, allergies, DiagnosticReports, Procedures, Immunizations,
/// then Observations up to the package size), plus a referral-letter DocumentReference. References to anything not
/// kept (encounters, claims, practitioners) become display-only, so each patient's records load as one transaction.
/// </summary>
internal sealed class ReferralPackageData
{
    public const string ReferralSystem = "http://fhir.alliance.example/identifier/referral";
    public const string Municipal = "Organization/municipal-hospital";
    public const string Cancer = "Organization/cancer-hospital";

    /// <summary>Types in the order they are picked: what a referral letter lists first comes first.</summary>
    private static readonly string[] RecordTypes =
        ["Condition", "MedicationRequest", "AllergyIntolerance", "DiagnosticReport", "Procedure", "Immunization", "Observation"];

    private readonly JsonObject _patient;
    private readonly string _patientUrl;
    private readonly List<(string FullUrl, JsonObject Resource)> _records;

    private ReferralPackageData(JsonObject patient, string patientUrl, List<(string, JsonObject)> records)
    {
        _patient = patient;
        _patientUrl = patientUrl;
        _records = records;
    }

    public int Records => _records.Count + 1;

    /// <summary>Loads the Synthea bundle with the most records of <see cref="RecordTypes"/> and keeps <paramref name="packageSize"/> records.</summary>
    public static ReferralPackageData Load(string? syntheaDirectory, int packageSize)
    {
        if (syntheaDirectory is null)
        {
            throw new InfrastructureException("the referral scenario needs shared/data/synthea (not found above the repository)");
        }

        var best = Directory.GetFiles(syntheaDirectory, "patient-*.json").Order(StringComparer.Ordinal)
            .Select(path => JsonNode.Parse(File.ReadAllText(path))!["entry"]!.AsArray())
            .MaxBy(entries => entries.Count(e => RecordTypes.Contains(Type(e))))
            ?? throw new InfrastructureException($"no patient-*.json in {syntheaDirectory}");
        var patientEntry = best.First(e => Type(e) == "Patient")!;
        var picked = RecordTypes
            .SelectMany(type => best.Where(e => Type(e) == type))
            .Take(packageSize - 2)
            .Select(e => (e!["fullUrl"]!.GetValue<string>(), e["resource"]!.AsObject()))
            .ToList();
        if (picked.Count < packageSize - 2)
        {
            throw new InfrastructureException($"the richest Synthea bundle has {picked.Count} clinical records; --package-size {packageSize} needs {packageSize - 2} (+ the patient and a document)");
        }

        var patientUrl = patientEntry["fullUrl"]!.GetValue<string>();
        picked.Add(("urn:uuid:" + Guid.NewGuid().ToString("D"), ReferralLetter(patientUrl)));
        var kept = picked.Select(p => p.Item1).Append(patientUrl).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, resource) in picked)
        {
            KeepOnlyReferencesTo(resource, kept);
        }

        var patient = patientEntry["resource"]!.AsObject();
        KeepOnlyReferencesTo(patient, kept);
        return new ReferralPackageData(patient, patientUrl, picked);
    }

    /// <summary>
    /// The patient of referral <paramref name="n"/> with its records and its sharing Consent for the cancer hospital,
    /// as one transaction (set-up, not measured). Each referral gets its own patient, so every package is filed new.
    /// </summary>
    public string RecordsTransaction(string run, int n)
    {
        var patient = _patient.DeepClone().AsObject();
        var residentId = "3201" + run + n.ToString("D6", CultureInfo.InvariantCulture);
        patient["identifier"] = new JsonArray(
            Identifier("urn:oid:2.16.156.10011.1.5", residentId),
            Identifier("urn:alliance:mpi", "BENCH-" + residentId));
        patient["managingOrganization"] = new JsonObject { ["reference"] = Municipal };
        var entries = new JsonArray { Entry(_patientUrl, patient) };
        foreach (var (fullUrl, resource) in _records)
        {
            entries.Add(Entry(fullUrl, resource.DeepClone().AsObject()));
        }

        entries.Add(Entry("urn:uuid:" + Guid.NewGuid().ToString("D"), new JsonObject
        {
            ["resourceType"] = "Consent",
            ["status"] = "active",
            ["scope"] = Concept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
            ["category"] = new JsonArray(Concept("http://loinc.org", "59284-0")),
            ["patient"] = new JsonObject { ["reference"] = _patientUrl },
            ["provision"] = new JsonObject
            {
                ["type"] = "permit",
                ["actor"] = new JsonArray(new JsonObject
                {
                    ["role"] = Concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP"),
                    ["reference"] = new JsonObject { ["reference"] = Cancer },
                }),
            },
        }));
        return new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction", ["entry"] = entries }.ToJsonString();
    }

    /// <summary>The measured submission: the referral ServiceRequest naming every record as supportingInfo, and its Task.</summary>
    public static string SubmitTransaction(string referralId, string patientId, IEnumerable<string> records)
    {
        const string requestUrl = "urn:uuid:00000000-0000-4000-8000-000000000001";
        var supporting = new JsonArray([.. records.Select(r => (JsonNode)new JsonObject { ["reference"] = r })]);
        var identifier = new JsonArray(Identifier(ReferralSystem, referralId));
        return new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray(
                Entry(requestUrl, new JsonObject
                {
                    ["resourceType"] = "ServiceRequest",
                    ["identifier"] = identifier.DeepClone(),
                    ["status"] = "active",
                    ["intent"] = "order",
                    ["category"] = new JsonArray(Concept("http://snomed.info/sct", "3457005")),
                    ["priority"] = "urgent",
                    ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
                    ["performer"] = new JsonArray(new JsonObject { ["reference"] = Cancer }),
                    ["reasonCode"] = new JsonArray(Concept("http://fhir.alliance.example/CodeSystem/referral-reason", "suspected-malignancy")),
                    ["supportingInfo"] = supporting,
                }),
                Entry("urn:uuid:00000000-0000-4000-8000-000000000002", new JsonObject
                {
                    ["resourceType"] = "Task",
                    ["identifier"] = identifier.DeepClone(),
                    ["status"] = "requested",
                    ["intent"] = "order",
                    ["focus"] = new JsonObject { ["reference"] = requestUrl },
                    ["for"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
                    ["requester"] = new JsonObject { ["reference"] = Municipal },
                    ["owner"] = new JsonObject { ["reference"] = Cancer },
                })),
        }.ToJsonString();
    }

    private static string? Type(JsonNode? entry) => entry?["resource"]?["resourceType"]?.GetValue<string>();

    /// <summary>The referral letter (转诊单) as a document; the node renders the real one, this stands in with its size.</summary>
    private static JsonObject ReferralLetter(string patientUrl) => new()
    {
        ["resourceType"] = "DocumentReference",
        ["status"] = "current",
        ["type"] = Concept("http://loinc.org", "57133-1", "Referral note"),
        ["subject"] = new JsonObject { ["reference"] = patientUrl },
        ["content"] = new JsonArray(new JsonObject
        {
            ["attachment"] = new JsonObject
            {
                ["contentType"] = "text/plain; charset=utf-8",
                ["title"] = "转诊单 Referral letter",
                ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("转诊单 referral letter text. ", 200)))),
            },
        }),
    };

    /// <summary>References to entries outside <paramref name="kept"/> lose their target and keep (or get) a display.</summary>
    private static void KeepOnlyReferencesTo(JsonNode node, HashSet<string> kept)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["reference"] is JsonValue value && value.GetValue<string>() is var target && target.StartsWith("urn:uuid:", StringComparison.Ordinal) && !kept.Contains(target))
                {
                    obj.Remove("reference");
                    obj["display"] ??= "not sent";
                }

                foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().ToList())
                {
                    KeepOnlyReferencesTo(child, kept);
                }

                break;
            case JsonArray array:
                foreach (var child in array.OfType<JsonNode>().ToList())
                {
                    KeepOnlyReferencesTo(child, kept);
                }

                break;
        }
    }

    private static JsonObject Entry(string fullUrl, JsonObject resource) => new()
    {
        ["fullUrl"] = fullUrl,
        ["resource"] = resource,
        ["request"] = new JsonObject { ["method"] = "POST", ["url"] = resource["resourceType"]!.GetValue<string>() },
    };

    private static JsonObject Identifier(string system, string value) => new() { ["system"] = system, ["value"] = value };

    private static JsonObject Concept(string system, string code, string? display = null)
    {
        var coding = new JsonObject { ["system"] = system, ["code"] = code };
        if (display is not null)
        {
            coding["display"] = display;
        }

        return new JsonObject { ["coding"] = new JsonArray(coding) };
    }
}
