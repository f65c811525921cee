namespace Referral.Fhir.Tests.Search.Query;

/// <summary>The search behaviours both providers must show, one row per parameter type, modifier, prefix and feature.</summary>
public static class SearchCases
{
    public static IReadOnlyList<SearchCase> All { get; } =
    [
        // Resource columns and the common parameters.
        new("_id matches any listed id, never a deleted one or an old version", "Patient", "_id=p2,p4", ["p2"], Total: 1),
        new("no parameters match every current resource of the type", "Patient", "", ["p1", "p2", "p3"], Total: 3),
        new("_lastUpdated gt is after the instant", "Patient", "_lastUpdated=gt2024-01-15", ["p2", "p3"]),
        new("_lastUpdated day covers the whole day", "Patient", "_lastUpdated=2024-01-01", ["p1"]),
        new("_tag system|code", "Patient", "_tag=http://tags|vip", ["p1"]),
        new("_profile equality", "Patient", "_profile=http://example.org/StructureDefinition/patient-a", ["p1"]),

        // string
        new("string starts with, case and accent folded", "Patient", "family=MUL", ["p1"]),
        new("string on a multi-valued parameter", "Patient", "name=peter", ["p1", "p3"]),
        new("string :exact needs case and accents", "Patient", "family:exact=Müller", ["p1"]),
        new("string :exact does not fold", "Patient", "family:exact=muller", []),
        new("string :contains", "Patient", "family:contains=ters", ["p3"]),
        new("string prefix as long as the value", "Patient", "family=petersen", ["p3"]),
        new("string prefix longer than the value", "Patient", "family=petersens", []),
        new("string prefix differing in its last letter", "Patient", "family=smiti", []),
        new("string prefix whose next letter is not there", "Patient", "family=smitg", []),
        new("escaped comma is part of the value", "Organization", @"name=smith\, jones", ["o3"]),
        new("comma is OR", "Patient", "family=smith,petersen", ["p2", "p3"]),
        new("repeated parameter is AND", "Patient", "name=peter&name=max", ["p3"]),

        // token
        new("token code in any system", "Patient", "gender=male", ["p1", "p3"]),
        new("token system|code", "Observation", "code=http://loinc.org|1234-5", ["obs1", "obs2"]),
        new("token system|code with another system", "Observation", "code=http://snomed.info/sct|1234-5", []),
        new("token |code has no system", "Patient", "identifier=|333", ["p3"]),
        new("token system| is any code of the system", "Patient", "identifier=http://hospital/mrn|", ["p1", "p2"]),
        new("token :not includes resources without the element", "Observation", "code:not=1234-5", ["obs3", "obs4", "obs5", "obs6", "obs7"]),
        new("token :text starts with the display, folded", "Observation", "code:text=BLOOD", ["obs1", "obs2"]),
        new("token comma is OR", "Patient", "gender=male,female", ["p1", "p2", "p3"]),
        new("token and string ANDed", "Patient", "name=peter&gender=male", ["p1", "p3"]),

        // date
        new("date year", "Patient", "birthdate=1980", ["p1"]),
        new("date month", "Patient", "birthdate=1980-05", ["p1"]),
        new("date eq needs the stored range inside the query range", "Observation", "date=2023-06-15", []),
        new("date eq with a coarser query", "Observation", "date=2023", ["obs2"]),
        new("date eq day contains an instant", "Observation", "date=2024-01-15", ["obs1"]),
        new("date gt", "Patient", "birthdate=gt1985", ["p2"]),
        new("date lt", "Patient", "birthdate=lt1985", ["p1"]),
        new("date ge", "Patient", "birthdate=ge1990", ["p2"]),
        new("date le", "Patient", "birthdate=le1980-05-10", ["p1"]),
        new("date ne", "Patient", "birthdate=ne1980-05-10", ["p2"]),
        new("date sa", "Patient", "birthdate=sa1980", ["p2"]),
        new("date eb", "Patient", "birthdate=eb1990", ["p1"]),
        new("date ap", "Patient", "birthdate=ap1980-05-10", ["p1"]),
        // The runner's clock stands at 2024-06-01: the margin is a tenth of ~112 days, so 2024-01-15 is outside it
        // (measured from the real clock, years later, the margin would reach it).
        new("date ap measures its margin from the injected now", "Observation", "date=ap2024-02-10", ["obs3"]),
        new("date ge on dateTimes", "Observation", "date=ge2024-01-15", ["obs1", "obs3"]),
        new("date :missing=true", "Patient", "birthdate:missing=true", ["p3"]),
        new("date :missing=false", "Patient", "birthdate:missing=false", ["p1", "p2"]),

        // token modifiers that read stored terminology or identifier types
        new("token :of-type matches type and value of one identifier", "Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|222", ["p2"]),
        new("token :of-type does not pair one identifier's type with another's value", "Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|999", []),
        new("token :of-type comma is OR", "Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|111,http://terminology.hl7.org/CodeSystem/v2-0203|DL|999", ["p1", "p2"]),
        new("token :in a ValueSet of listed concepts, by url", "Observation", "code:in=http://terms.example/ValueSet/bp", ["obs1", "obs2"]),
        new("token :in a ValueSet with a version suffix", "Observation", "code:in=http://terms.example/ValueSet/bp|1.0", ["obs1", "obs2"]),
        new("token :in a ValueSet of a whole code system, by ValueSet/id", "Observation", "code:in=ValueSet/vs-snomed", ["obs3"]),
        new("token :in a ValueSet's expansion", "Observation", "code:in=http://terms.example/ValueSet/expanded", ["obs4", "obs7"]),
        new("token :not-in keeps resources without a code in the set", "Observation", "code:not-in=http://terms.example/ValueSet/bp", ["obs3", "obs4", "obs5", "obs6", "obs7"]),
        new("token :below takes the code and its descendants", "Observation", "category:below=http://terms.example/CodeSystem/vitals|blood-pressure", ["obs1"]),
        new("token :below the root takes the whole hierarchy", "Observation", "category:below=http://terms.example/CodeSystem/vitals|vital", ["obs1", "obs3"]),
        new("token :above takes the code and its ancestors", "Observation", "category:above=http://terms.example/CodeSystem/vitals|systolic", ["obs1"]),
        new("token :above does not take siblings", "Observation", "category:above=http://terms.example/CodeSystem/vitals|diastolic", []),

        // composite: every part within one instance of the base expression
        new("composite token$quantity on the Observation", "Observation", "code-value-quantity=http://loinc.org|1234-5$gt100", ["obs1"]),
        new("composite quantity part with a unit", "Observation", "code-value-quantity=1234-5$le120|http://unitsofmeasure.org|mm[Hg]", ["obs1", "obs2"]),
        new("composite parts must both match", "Observation", "code-value-quantity=http://loinc.org|999$120", []),
        new("composite on components matches within one component", "Observation", "component-code-value-quantity=http://loinc.org|8480-6$gt140", ["obs6"]),
        new("composite parts from different components do not match", "Observation", "component-code-value-quantity=http://loinc.org|8462-4$gt140", []),
        new("composite comma is OR", "Observation", "component-code-value-quantity=http://loinc.org|8462-4$gt140,http://loinc.org|8462-4$lt100", ["obs6"]),
        new("composite combo matches a component", "Observation", "combo-code-value-quantity=8462-4$90", ["obs6"]),
        new("composite token$string", "Observation", "code-value-string=http://loinc.org|5778-6$straw", ["obs7"]),
        new("composite token$date", "Observation", "code-value-date=5778-6$ge2024-01", ["obs7"]),
        new("composite token$date outside the range", "Observation", "code-value-date=5778-6$lt2024-01", []),
        new("composite token$token on Group characteristics", "Group", "characteristic-value=sex$male", ["g1"]),
        new("composite token$token across characteristics does not match", "Group", "characteristic-value=smoker$male", []),
        new("composite repeated parameter is AND", "Observation", "component-code-value-quantity=8480-6$150&component-code-value-quantity=8462-4$90", ["obs6"]),

        // number and quantity
        new("number eq by precision", "RiskAssessment", "probability=0.8", ["ra1"]),
        new("number gt", "RiskAssessment", "probability=gt0.5", ["ra1"]),
        new("number lt", "RiskAssessment", "probability=lt0.5", ["ra2"]),
        new("quantity value only", "Observation", "value-quantity=120", ["obs1"]),
        new("quantity gt", "Observation", "value-quantity=gt100", ["obs1"]),
        new("quantity value||code", "Observation", "value-quantity=lt100||mm[Hg]", ["obs2"]),
        new("quantity value|system|code", "Observation", "value-quantity=60|http://unitsofmeasure.org|/min", ["obs3"]),
        new("quantity with another unit", "Observation", "value-quantity=60||mm[Hg]", []),
        new("quantity le with unit", "Observation", "value-quantity=le120|http://unitsofmeasure.org|mm[Hg]", ["obs1", "obs2"]),

        // reference
        new("reference Type/id", "Observation", "subject=Patient/p1", ["obs1", "obs3"]),
        new("reference id", "Observation", "subject=p1", ["obs1", "obs3"]),
        new("reference :Type", "Observation", "subject:Patient=p1", ["obs1", "obs3"]),
        new("reference :Type of another type", "Observation", "subject:Group=p1", []),
        new("reference absolute URL of a remote resource", "Observation", "subject=http://other.org/fhir/Patient/p3", ["obs4"]),
        new("reference absolute URL ending in a local type/id", "Observation", "subject=http://this.server/fhir/Patient/p1", ["obs1", "obs3"]),
        new("reference :identifier", "Observation", "subject:identifier=http://hospital/mrn|111", ["obs5"]),
        new("reference :missing", "Patient", "organization:missing=true", ["p3"]),

        // uri
        new("uri equality", "ValueSet", "url=http://acme.org/fhir/ValueSet/123", ["vs1"]),
        new("uri :below", "ValueSet", "url:below=http://acme.org/fhir", ["vs1", "vs2"]),
        new("uri :below is case-sensitive", "ValueSet", "url:below=http://ACME.org/fhir", []),
        new("uri :below of the whole uri", "ValueSet", "url:below=http://other.org/vs", ["vs3"]),
        new("uri :above", "ValueSet", "url:above=http://acme.org/fhir/ValueSet/123/_history/5", ["vs1"]),

        // chains
        new("chain with a type", "Observation", "subject:Patient.name=peter", ["obs1", "obs3"]),
        new("chain without a type tries every target", "Observation", "subject.name=peter", ["obs1", "obs3"]),
        new("chain to a token", "Observation", "patient.identifier=http://hospital/mrn|111", ["obs1", "obs3"]),
        new("chain over two references", "Observation", "subject:Patient.organization.name=acme", ["obs1", "obs3"]),
        new("chain with a modifier at the end", "Observation", "subject:Patient.family:exact=Smith", ["obs2"]),
        new("reverse chain _has", "Patient", "_has:Observation:patient:code=1234-5", ["p1", "p2"]),
        new("reverse chain nested", "Organization", "_has:Patient:organization:_has:Observation:patient:code=999", ["o1"]),

        // sorting and paging
        new("sort by string ascending", "Patient", "_sort=family", ["p1", "p3", "p2"], Ordered: true),
        new("sort by string descending", "Patient", "_sort=-family", ["p2", "p3", "p1"], Ordered: true),
        new("sort by date puts missing values last", "Patient", "_sort=birthdate", ["p1", "p2", "p3"], Ordered: true),
        new("sort by date descending puts missing values last", "Patient", "_sort=-birthdate", ["p2", "p1", "p3"], Ordered: true),
        new("sort by _lastUpdated descending", "Patient", "_sort=-_lastUpdated", ["p3", "p2", "p1"], Ordered: true),
        new("sort by token then _id descending", "Patient", "_sort=gender,-_id", ["p2", "p3", "p1"], Ordered: true),
        new("sort by quantity", "Observation", "value-quantity:missing=false&_sort=-value-quantity", ["obs1", "obs2", "obs3"], Ordered: true),
        new("default order is insertion (Sid)", "Patient", "", ["p1", "p2", "p3"], Ordered: true),
        new("first page", "Patient", "_count=2", ["p1", "p2"], Ordered: true, Total: 3, HasMore: true),
        new("last page", "Patient", "_count=2&_offset=2", ["p3"], Ordered: true, Total: 3, HasMore: false),
        new("sorted page", "Patient", "_sort=-family&_count=1&_offset=1", ["p3"], Ordered: true, HasMore: true),
        new("_count=0 gives only the total", "Patient", "_count=0", [], Total: 3, HasMore: true),
        new("_summary=count gives only the total", "Patient", "gender=male&_summary=count", [], Total: 2),

        // includes
        new("_include follows the reference", "Observation", "code=999&_include=Observation:subject", ["obs3"], Included: ["p1"]),
        new("_include with a target type that does not match", "Observation", "code=999&_include=Observation:subject:Organization", ["obs3"], Included: []),
        new("_include=* follows every reference", "Patient", "_id=p2&_include=*", ["p2"], Included: ["o2"]),
        new("_include:iterate follows included resources", "Patient", "_id=p2&_include=Patient:organization&_include:iterate=Organization:partof", ["p2"], Included: ["o2", "o1"]),
        new("_revinclude finds referencing resources", "Observation", "_id=obs1&_revinclude=Provenance:target", ["obs1"], Included: ["prov1"]),
        new("includes exclude matches and duplicates", "Patient", "_id=p1,p2&_revinclude=Observation:subject&_revinclude=Observation:patient", ["p1", "p2"], Included: ["obs1", "obs2", "obs3"]),

        // system-level search
        new("system search by _id", null, "_id=p1,o1", ["p1", "o1"]),
        new("system search by _type and _lastUpdated", null, "_type=Patient,Organization&_lastUpdated=lt2024-01-15", ["p1", "o1", "o2", "o3"]),
        new("system search by _tag", null, "_tag=http://tags|vip", ["p1"]),
        new("system search with _type takes the type's parameters", null, "_type=Patient&gender=female", ["p2"]),
        new("system search with _type chains", null, "subject.name=peter&_type=Observation", ["obs1", "obs3"]),
        new("system search with several _type applies each type's definition", null, "_type=Observation,RiskAssessment&subject=Patient/p2", ["obs2", "ra2"]),
        new("system search with _type reverse chains", null, "_type=Patient&_has:Observation:patient:code=999", ["p1"]),
    ];

    public static TheoryData<string> Names { get; } = new(All.Select(c => c.Name));

    public static SearchCase Named(string name) => All.Single(c => c.Name == name);
}
