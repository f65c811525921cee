using Hl7.Fhir.Model;

namespace Referral.Workflow.Outbox;

/// <summary>
/// A change of a referral's state sent to the other side: a transaction Bundle with the Task as this node has it and
/// the records that step brought (see <see cref="PackageBuilder.BuildStatusAsync"/>); the receiving inbox copies the
/// state fields onto its own Task and files the records.
/// </summary>
public static class StatusMessage
{
    /// <summary>A message with the Task alone (the receiver's transport acknowledgement).</summary>
    public static Bundle Build(Hl7.Fhir.Model.Task task, string referralId, string home, string bundleIdentifier, DateTimeOffset now) =>
        Wrap(PackageBuilder.Copy(task, home, new Dictionary<string, string>()), $"urn:uuid:{Guid.NewGuid():D}", referralId, bundleIdentifier, now, []);

    public static Bundle Wrap(Hl7.Fhir.Model.Task copy, string taskUrl, string referralId, string bundleIdentifier, DateTimeOffset now, IEnumerable<Bundle.EntryComponent> records) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Identifier = new Identifier(ReferralCodes.PackageIdentifierSystem, bundleIdentifier),
        Timestamp = now,
        Entry =
        [
            .. records,
            new Bundle.EntryComponent
            {
                FullUrl = taskUrl,
                Resource = copy,
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.PUT,
                    Url = $"Task?identifier={ReferralCodes.ReferralIdentifierSystem}|{referralId}",
                },
            },
        ],
    };

    /// <summary>Copies the state a status message carries onto the local Task, with the receiver's answer deadline (restriction).</summary>
    public static void ApplyTo(Hl7.Fhir.Model.Task message, Hl7.Fhir.Model.Task local)
    {
        local.Status = message.Status;
        local.BusinessStatus = message.BusinessStatus;
        local.StatusReason = message.StatusReason;
        local.LastModified = message.LastModified;
        local.Note = message.Note;
        local.Input = message.Input;
        local.Output = message.Output;
        local.Restriction = message.Restriction;
    }
}
