using Hl7.Fhir.Model;

namespace Referral.Workflow.Outbox;

/// <summary>
/// A change of a referral's state sent to the other side: a transaction Bundle with the Task as this node has it,
/// keyed on the referral identifier; the receiving inbox copies the state fields onto its own Task.
/// </summary>
public static class StatusMessage
{
    public static Bundle Build(Hl7.Fhir.Model.Task task, string referralId, string home, string bundleIdentifier, DateTimeOffset now) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Identifier = new Identifier(ReferralCodes.PackageIdentifierSystem, bundleIdentifier),
        Timestamp = now,
        Entry =
        [
            new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid():D}",
                Resource = PackageBuilder.Copy(task, home, new Dictionary<string, string>()),
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.PUT,
                    Url = $"Task?identifier={ReferralCodes.ReferralIdentifierSystem}|{referralId}",
                },
            },
        ],
    };

    /// <summary>Copies the state a status message carries onto the local Task.</summary>
    public static void ApplyTo(Hl7.Fhir.Model.Task message, Hl7.Fhir.Model.Task local)
    {
        local.Status = message.Status;
        local.BusinessStatus = message.BusinessStatus;
        local.StatusReason = message.StatusReason;
        local.LastModified = message.LastModified;
        local.Note = message.Note;
        local.Input = message.Input;
        local.Output = message.Output;
    }
}
