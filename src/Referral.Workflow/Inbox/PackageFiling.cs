using Hl7.Fhir.Model;
using Referral.Fhir.Features.Transactions;

namespace Referral.Workflow.Inbox;

/// <summary>What filing a referral package here changes in it, the same for a delivery and for a resolved patient match.</summary>
public static class PackageFiling
{
    /// <summary>Files everything under our patient: the package's Patient entry goes, references to it point at ours (our demographics stay as they are).</summary>
    public static void FileUnder(Bundle package, Bundle.EntryComponent patientEntry, string patientId)
    {
        package.Entry.Remove(patientEntry);
        foreach (var reference in package.Entry.Select(e => e.Resource).OfType<Resource>().SelectMany(ReferenceRewriter.References))
        {
            if (reference.Reference == patientEntry.FullUrl)
            {
                reference.Reference = $"Patient/{patientId}";
            }
        }
    }

    /// <summary>Transport acknowledgement: filed here means received, at both ends.</summary>
    public static void MarkReceived(Hl7.Fhir.Model.Task task)
    {
        task.Status = Hl7.Fhir.Model.Task.TaskStatus.Received;
        task.BusinessStatus = new CodeableConcept(ReferralCodes.AllianceBusinessStatus, "received", "Received");
    }
}
