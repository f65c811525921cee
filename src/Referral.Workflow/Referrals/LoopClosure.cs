using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Referral.Fhir.Features.Persistence;
using Referral.Identity;

namespace Referral.Workflow.Referrals;

/// <summary>
/// Closes the two-way referral loop: when the municipal hospital accepts a downward referral this node placed, the
/// upward referral it answers (named by identifier in the downward Task's basedOn) is completed here, BSeR 7.0, with
/// the downward referral as its output; staged in the same transaction as the acceptance, and sent to the partner as
/// a status message like any change of ours.
/// </summary>
public sealed class LoopClosure(ResourceStore store, IOptions<NodeOptions> node, TimeProvider clock)
{
    public const string OutputType = "downward-referral";

    /// <summary>The referral id of the upward referral a downward Task answers, or null.</summary>
    public static string? UpwardReferralId(Hl7.Fhir.Model.Task task) =>
        task.BasedOn.Select(b => b.Identifier).FirstOrDefault(i => i?.System == ReferralCodes.ReferralIdentifierSystem)?.Value;

    public async System.Threading.Tasks.Task StageAsync(Hl7.Fhir.Model.Task down, CancellationToken ct)
    {
        var home = node.Value.Organization;
        if (down.Status != Hl7.Fhir.Model.Task.TaskStatus.Accepted || ReferralDirection.Of(down) != ReferralDirection.Down
            || ReferralTask.Requester(down) != home || UpwardReferralId(down) is not { } upId || ReferralTask.ReferralId(down) is not { } downId)
        {
            return;
        }

        var up = await ReferralLookup.TaskAsync(store.Db, store.Serializer, upId, ct);
        if (up is null || ReferralTask.Owner(up) != home || up.Status != Hl7.Fhir.Model.Task.TaskStatus.InProgress)
        {
            return;
        }

        up.Status = Hl7.Fhir.Model.Task.TaskStatus.Completed;
        up.BusinessStatus = new CodeableConcept(ReferralCodes.BserBusinessStatus, "7.0", "Service Request Fulfillment Completed", null);
        up.LastModifiedElement = new FhirDateTime(clock.GetUtcNow());
        up.Output.Add(new Hl7.Fhir.Model.Task.OutputComponent
        {
            Type = new CodeableConcept { Text = OutputType },
            Value = new ResourceReference
            {
                Type = "ServiceRequest",
                Identifier = new Identifier(ReferralCodes.ReferralIdentifierSystem, downId),
                Display = "下转 Downward referral",
            },
        });
        await store.StageUpdateAsync(up, up.Id!, null, "PUT", ct);
    }
}
