using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Referral.Fhir.Features.Validation;

namespace Referral.Fhir.Tests.Validation;

/// <summary>The repository's fhir-profiles (copied next to the tests by the build), their examples, and a validator on them.</summary>
public static class AllianceProfiles
{
    public const string AllianceBase = "http://fhir.alliance.example";
    public const string ReferralProfile = AllianceBase + "/StructureDefinition/alliance-referral-request";
    public const string TaskProfile = AllianceBase + "/StructureDefinition/alliance-referral-task";
    public const string ConsultationProfile = AllianceBase + "/StructureDefinition/alliance-consultation-request";
    public const string SummaryProfile = AllianceBase + "/StructureDefinition/alliance-back-referral-summary";
    public const string DirectionExtension = AllianceBase + "/StructureDefinition/referral-direction";

    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "fhir-profiles");

    public static ConformanceResources Resources { get; } = ConformanceResources.Load(Folder);

    public static ProfileValidator Validator { get; } = new(Resources);

    /// <summary>A fresh copy of an example, to break for a test.</summary>
    public static T Example<T>(string file)
        where T : Resource =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(Folder, "examples", file)), Json)!;

    public static ServiceRequest ReferralExample() => Example<ServiceRequest>("referral-request-up.json");

    public static Hl7.Fhir.Model.Task ReferralTaskExample() => Example<Hl7.Fhir.Model.Task>("referral-task.json");

    public static Composition SummaryExample() => Example<Composition>("back-referral-summary.json");

    public static ServiceRequest ConsultationExample() => Example<ServiceRequest>("consultation-request.json");

    public static IReadOnlyList<OperationOutcome.IssueComponent> Validate(Resource resource, string profile) =>
        Validator.Validate(resource, Resources.Find(profile)!);

    /// <summary>The single error issue, asserting its code and expression.</summary>
    public static OperationOutcome.IssueComponent SingleError(Resource resource, string profile, OperationOutcome.IssueType code, string expression)
    {
        var issues = Validate(resource, profile);
        var issue = Assert.Single(issues, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal(code, issue.Code);
        Assert.Equal([expression], issue.Expression);
        return issue;
    }
}
