using Hl7.Fhir.Model;
using Referral.Identity.Access;

namespace Referral.Workflow.Inbox;

/// <summary>
/// The coordinator's Task that holds a referral package whose patient could not be matched safely
/// (<c>Task.code</c> patient-match). Its inputs are the package and the candidate patients; it is completed with the
/// patient chosen (see <see cref="PatientMatchResolution"/>).
/// </summary>
public static class PatientMatchTask
{
    public const string Code = "patient-match";

    /// <summary>Input holding the package (FHIR JSON attachment).</summary>
    public const string PackageInput = "package";

    /// <summary>Input naming a local patient the package might belong to.</summary>
    public const string CandidateInput = "candidate";

    /// <summary>Output naming the local Patient the package is filed against.</summary>
    public const string PatientOutput = "patient";

    /// <summary>Output (valueBoolean true) saying the package's patient is filed as a new patient.</summary>
    public const string NewPatientOutput = "new-patient";

    /// <summary>Who may resolve a match (and is told about new ones).</summary>
    public static readonly IReadOnlyList<string> ResolverRoles = [NodeRoles.Coordinator, NodeRoles.Admin];

    public static bool Is(Hl7.Fhir.Model.Task task) =>
        task.Code?.Coding.Any(c => c.System == ReferralCodes.AllianceBusinessStatus && c.Code == Code) == true;

    /// <summary>The output named <paramref name="type"/> (by its type's text), if there is exactly one.</summary>
    public static Hl7.Fhir.Model.Task.OutputComponent? Output(Hl7.Fhir.Model.Task task, string type) =>
        task.Output.Count(o => o.Type?.Text == type) == 1 ? task.Output.Single(o => o.Type?.Text == type) : null;

    public static Attachment? Package(Hl7.Fhir.Model.Task task) =>
        task.Input.FirstOrDefault(i => i.Type?.Text == PackageInput)?.Value as Attachment;
}
