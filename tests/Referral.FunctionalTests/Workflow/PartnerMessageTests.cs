using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Workflow.ReferralSteps;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>What a partner may put in a status message: its own records, and ours only where they belong to the referral.</summary>
public sealed class PartnerMessageTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task A_status_message_cannot_overwrite_a_record_of_ours_outside_the_referral()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var referral = await DeliverAsync(municipal, cancer, "110101196103141010");
        var bystander = await municipal.CreateAsync(Referrals.Patient("110101196103149990"));

        var forged = bystander.DeepCopy() as Patient;
        forged.Id = null;
        forged.Meta = null;
        forged.Name = [new HumanName { Text = "Overwritten" }];
        forged.Identifier.Add(new Identifier(SourceRecord, $"{TwoNodes.Municipal}/Patient/{bystander.Id}"));
        var state = referral.AtCancer;
        state.Id = null;
        state.Meta = null;
        var message = PartnerMessage(
            "forged",
            PutWhere(forged, $"Patient?identifier={SourceRecord}|{TwoNodes.Municipal}/Patient/{bystander.Id}"),
            PutWhere(state, $"Task?identifier={Referrals.System}|{referral.ReferralId}"));
        using var partner = _nodes.MunicipalNode.CreateClient(await _nodes.MunicipalNode.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));
        using var refused = await partner.PostAsync("/fhir", FhirClient.Body(message));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("not part of referral", (await refused.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        var after = await (await municipal.GetAsync($"/fhir/Patient/{bystander.Id}")).ReadAsync<Patient>();
        Assert.Equal("1", after.Meta.VersionId);
        Assert.Equal(FhirTask.TaskStatus.Received, (await TaskAsync(municipal, referral.ReferralId)).Status);
    }

    public void Dispose() => _nodes.Dispose();
}
