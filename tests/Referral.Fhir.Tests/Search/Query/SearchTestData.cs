using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>The store every search case runs against: patients, organizations, observations and a few others, with their index rows.</summary>
internal static class SearchTestData
{
    private const string Loinc = "http://loinc.org";
    private const string Mrn = "http://hospital/mrn";
    private const string Ucum = "http://unitsofmeasure.org";
    private const string IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
    private const string Vitals = "http://terms.example/CodeSystem/vitals";

    public static void Seed(FhirDbContext db)
    {
        Add(db, "Patient", "p1", "2024-01-01T10:00:00Z", i => i
            .String("name", "Peter").String("name", "Müller").String("family", "Müller").String("given", "Peter")
            .Token("identifier", Mrn, "111")
            .Composite("identifier:of-type", (c, p) => c.Token(p, IdentifierType, "MR"), (c, p) => c.Token(p, null, "111"))
            .Token("gender", "http://hl7.org/fhir/administrative-gender", "male")
            .Token("_tag", "http://tags", "vip").Uri("_profile", "http://example.org/StructureDefinition/patient-a")
            .Date("birthdate", "1980-05-10").Reference("organization", "Organization", "o1"));
        Add(db, "Patient", "p2", "2024-02-01T10:00:00Z", i => i
            .String("name", "Anna").String("name", "Smith").String("family", "Smith").String("given", "Anna")
            .Token("identifier", Mrn, "222").Token("identifier", "http://dmv.example", "999")
            .Composite("identifier:of-type", (c, p) => c.Token(p, IdentifierType, "MR"), (c, p) => c.Token(p, null, "222"))
            .Composite("identifier:of-type", (c, p) => c.Token(p, IdentifierType, "DL"), (c, p) => c.Token(p, null, "999"))
            .Token("gender", "http://hl7.org/fhir/administrative-gender", "female")
            .Date("birthdate", "1990").Reference("organization", "Organization", "o2"));
        Add(db, "Patient", "p3", "2024-03-01T10:00:00Z", i => i
            .String("name", "Max").String("name", "Petersen").String("family", "Petersen").String("given", "Max")
            .Token("identifier", null, "333").Token("gender", "http://hl7.org/fhir/administrative-gender", "male"));

        // Neither an older version nor a deleted resource is ever a match (and the indexer gives them no rows).
        Add(db, "Patient", "p2", "2023-12-01T10:00:00Z", _ => { }, version: 0, history: true);
        Add(db, "Patient", "p4", "2024-03-05T10:00:00Z", _ => { }, deleted: true);

        Add(db, "Organization", "o1", "2024-01-01T09:00:00Z", i => i.String("name", "Acme Hospital"));
        Add(db, "Organization", "o2", "2024-01-01T09:00:00Z", i => i.String("name", "General Clinic").Reference("partof", "Organization", "o1"));
        Add(db, "Organization", "o3", "2024-01-01T09:00:00Z", i => i.String("name", "Smith, Jones"));

        Add(db, "Observation", "obs1", "2024-01-15T09:00:00Z", i => Subject(i, "p1")
            .Token("code", Loinc, "1234-5", "Blood Pressure").Quantity("value-quantity", "120", Ucum, "mm[Hg]").Date("date", "2024-01-15T08:30:00Z")
            .Token("category", Vitals, "systolic")
            .Composite("code-value-quantity", (c, p) => c.Token(p, Loinc, "1234-5"), (c, p) => c.Quantity(p, "120", Ucum, "mm[Hg]")));
        Add(db, "Observation", "obs2", "2024-01-15T09:00:00Z", i => Subject(i, "p2")
            .Token("code", Loinc, "1234-5", "Blood Pressure").Quantity("value-quantity", "80", Ucum, "mm[Hg]").Date("date", "2023-06")
            .Composite("code-value-quantity", (c, p) => c.Token(p, Loinc, "1234-5"), (c, p) => c.Quantity(p, "80", Ucum, "mm[Hg]")));
        Add(db, "Observation", "obs3", "2024-01-15T09:00:00Z", i => Subject(i, "p1")
            .Token("code", "http://snomed.info/sct", "999", "Heart rate").Quantity("value-quantity", "60", Ucum, "/min").Date("date", "2024-02-01")
            .Token("category", Vitals, "heart-rate"));
        Add(db, "Observation", "obs4", "2024-01-15T09:00:00Z", i => i
            .Reference("subject", null, null, "http://other.org/fhir/Patient/p3").Token("code", Loinc, "5555"));
        Add(db, "Observation", "obs5", "2024-01-15T09:00:00Z", i => i.ReferenceIdentifier("subject", Mrn, "111"));

        // A blood pressure panel: systolic 150 and diastolic 90 in two components, so "diastolic > 140" must not match.
        Add(db, "Observation", "obs6", "2024-01-15T09:00:00Z", i => i
            .Token("code", Loinc, "85354-9")
            .Composite("component-code-value-quantity", (c, p) => c.Token(p, Loinc, "8480-6"), (c, p) => c.Quantity(p, "150", Ucum, "mm[Hg]"))
            .Composite("component-code-value-quantity", (c, p) => c.Token(p, Loinc, "8462-4"), (c, p) => c.Quantity(p, "90", Ucum, "mm[Hg]"))
            .Composite("combo-code-value-quantity", (c, p) => c.Token(p, Loinc, "8480-6"), (c, p) => c.Quantity(p, "150", Ucum, "mm[Hg]"))
            .Composite("combo-code-value-quantity", (c, p) => c.Token(p, Loinc, "8462-4"), (c, p) => c.Quantity(p, "90", Ucum, "mm[Hg]")));
        Add(db, "Observation", "obs7", "2024-01-15T09:00:00Z", i => i
            .Token("code", Loinc, "5778-6")
            .Composite("code-value-string", (c, p) => c.Token(p, Loinc, "5778-6"), (c, p) => c.String(p, "Straw yellow"))
            .Composite("code-value-date", (c, p) => c.Token(p, Loinc, "5778-6"), (c, p) => c.Date(p, "2024-01-10")));

        // Two characteristics: "smoker" is false and "sex" is male, so smoker$male belongs to no single characteristic.
        Add(db, "Group", "g1", "2024-01-15T09:00:00Z", i => i
            .Composite("characteristic-value", (c, p) => c.Token(p, null, "smoker"), (c, p) => c.Token(p, null, "false"))
            .Composite("characteristic-value", (c, p) => c.Token(p, null, "sex"), (c, p) => c.Token(p, "http://hl7.org/fhir/administrative-gender", "male")));

        Add(db, "RiskAssessment", "ra1", "2024-01-15T09:00:00Z", i => i.Number("probability", "0.8").Reference("subject", "Patient", "p1"));
        Add(db, "RiskAssessment", "ra2", "2024-01-15T09:00:00Z", i => i.Number("probability", "0.25").Reference("subject", "Patient", "p2"));

        Add(db, "ValueSet", "vs1", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://acme.org/fhir/ValueSet/123"));
        Add(db, "ValueSet", "vs2", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://acme.org/fhir/ValueSet/456"));
        Add(db, "ValueSet", "vs3", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://other.org/vs"));

        // Terminology that token :in, :not-in, :below and :above read from the store.
        Add(db, "ValueSet", "vs-bp", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://terms.example/ValueSet/bp"), json: $$$"""
            {"resourceType":"ValueSet","id":"vs-bp","url":"http://terms.example/ValueSet/bp","status":"active",
             "compose":{"include":[{"system":"{{{Loinc}}}","concept":[{"code":"1234-5"},{"code":"8480-6"}]}]}}
            """);
        Add(db, "ValueSet", "vs-snomed", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://terms.example/ValueSet/snomed"), json: """
            {"resourceType":"ValueSet","id":"vs-snomed","url":"http://terms.example/ValueSet/snomed","status":"active",
             "compose":{"include":[{"system":"http://snomed.info/sct"}]}}
            """);
        Add(db, "ValueSet", "vs-expanded", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://terms.example/ValueSet/expanded"), json: $$$"""
            {"resourceType":"ValueSet","id":"vs-expanded","url":"http://terms.example/ValueSet/expanded","status":"active",
             "expansion":{"timestamp":"2024-01-01","contains":[{"system":"{{{Loinc}}}","code":"5555"},{"system":"{{{Loinc}}}","code":"5778-6"}]}}
            """);
        Add(db, "ValueSet", "vs-filtered", "2024-01-15T09:00:00Z", i => i.Uri("url", "http://terms.example/ValueSet/filtered"), json: $$$"""
            {"resourceType":"ValueSet","id":"vs-filtered","url":"http://terms.example/ValueSet/filtered","status":"active",
             "compose":{"include":[{"system":"{{{Loinc}}}","filter":[{"property":"COMPONENT","op":"=","value":"x"}]}]}}
            """);
        Add(db, "CodeSystem", "cs-vitals", "2024-01-15T09:00:00Z", i => i.Uri("url", Vitals), json: $$$"""
            {"resourceType":"CodeSystem","id":"cs-vitals","url":"{{{Vitals}}}","status":"active","content":"complete",
             "concept":[{"code":"vital","concept":[{"code":"blood-pressure","concept":[{"code":"systolic"},{"code":"diastolic"}]},{"code":"heart-rate"}]}]}
            """);

        Add(db, "Provenance", "prov1", "2024-01-15T09:00:00Z", i => i.Reference("target", "Observation", "obs1"));
        db.SaveChanges();
    }

    private static IndexRowsBuilder Subject(IndexRowsBuilder rows, string patientId) =>
        rows.Reference("subject", "Patient", patientId).Reference("patient", "Patient", patientId);

    private static void Add(FhirDbContext db, string type, string id, string lastUpdated, Action<IndexRowsBuilder> index, int version = 1, bool history = false, bool deleted = false, string? json = null)
    {
        var resource = new ResourceEntity
        {
            ResourceType = type,
            ResourceId = id,
            VersionId = version,
            LastUpdatedTicks = DateTimeOffset.Parse(lastUpdated, System.Globalization.CultureInfo.InvariantCulture).UtcTicks,
            IsHistory = history,
            IsDeleted = deleted,
            Method = deleted ? "DELETE" : "PUT",
            Json = deleted ? "" : json ?? $$"""{"resourceType":"{{type}}","id":"{{id}}"}""",
        };
        index(new IndexRowsBuilder(resource));
        db.Resources.Add(resource);
    }
}
