using Hl7.Fhir.Model;

namespace Referral.Web.DemoData;

/// <summary>The code systems and codes the demo records use, in one place.</summary>
internal static class DemoCodes
{
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10";
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Atc = "http://www.whocc.no/atc";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ResidentIdSystem = "urn:oid:2.16.156.10011.1.5";
    public const string MpiSystem = "urn:alliance:mpi";
    public const string OrganizationSystem = "urn:alliance:organization";
    public const string PractitionerSystem = "urn:alliance:practitioner";

    /// <summary>A coded concept whose text is the (bilingual) display; Firely's three-argument constructor sets only the text.</summary>
    public static CodeableConcept Concept(string system, string code, string display) => new() { Coding = [new Coding(system, code, display)], Text = display };

    /// <summary>A coded concept with the code system's display, and the text people read if it differs.</summary>
    public static CodeableConcept Coded(string system, string code, string display, string? text = null) =>
        new() { Coding = [new Coding(system, code, display)], Text = text };

    public static CodeableConcept ConditionActive => new("http://terminology.hl7.org/CodeSystem/condition-clinical", "active");

    public static CodeableConcept ConditionConfirmed => new("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed");

    public static CodeableConcept ProblemListItem => Coded("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item");

    public static CodeableConcept EncounterDiagnosis => Coded("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis");

    public static CodeableConcept Laboratory => Coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory");

    public static CodeableConcept Radiology => Coded("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology");

    public static CodeableConcept SurgicalPathology => Coded("http://terminology.hl7.org/CodeSystem/v2-0074", "SP", "Surgical Pathology");

    public static Coding Ambulatory => new("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory");

    public static Coding Inpatient => new("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter");

    public static CodeableConcept Interpretation(bool high) => high
        ? Coded("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H", "High")
        : Coded("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal");
}
