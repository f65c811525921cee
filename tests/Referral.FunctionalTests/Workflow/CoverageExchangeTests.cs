using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary>The patient's Coverage (医保类别) between the nodes: it goes up with the referral and does not come back down as a second copy.</summary>
public sealed class CoverageExchangeTests : IDisposable
{
    private readonly TwoNodes _nodes = new();

    [Fact]
    public async System.Threading.Tasks.Task A_coverage_sent_up_is_not_sent_back_down_to_the_hospital_that_holds_it()
    {
        _nodes.StartCancerNode();
        using var municipal = _nodes.MunicipalNode.CreateClient();
        using var cancer = _nodes.CancerNode.CreateClient();
        var patient = await municipal.CreateAsync(Referrals.Patient("110101196103143579"));
        await municipal.CreateAsync(new Coverage
        {
            Status = FinancialResourceStatusCodes.Active,
            Type = new CodeableConcept("http://fhir.alliance.example/CodeSystem/insurance-type", "urban-rural-resident"),
            Beneficiary = new ResourceReference($"Patient/{patient.Id}"),
            Payor = [new ResourceReference($"Patient/{patient.Id}")],
        });
        var upId = Guid.NewGuid().ToString("N");
        using (var submitted = await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, upId))))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var up = await ReferralSteps.WaitForAsync(cancer, upId, t => t.Status == TaskStatus.Received, "the upward referral at the cancer hospital");
        var treated = up.For.Reference["Patient/".Length..];
        Assert.Single((await cancer.SearchAsync($"Coverage?beneficiary=Patient/{treated}")).Matches<Coverage>());
        foreach (var status in new[] { TaskStatus.Accepted, TaskStatus.InProgress })
        {
            var task = await ReferralSteps.TaskAsync(cancer, upId);
            task.Status = status;
            await ReferralSteps.UpdateAsync(cancer, task);
        }

        await cancer.CreateAsync(DownwardReferrals.SharingConsent(treated, TwoNodes.Municipal));
        var downId = Guid.NewGuid().ToString("N");
        await ReferralDocuments.PostTransactionAsync(cancer, DownwardReferrals.Refer(treated, downId, upId));

        await ReferralSteps.WaitForAsync(municipal, downId, t => t.Status == TaskStatus.Received, "the downward referral at the municipal hospital");
        var coverages = (await municipal.SearchAsync($"Coverage?beneficiary=Patient/{patient.Id}")).Matches<Coverage>().ToList();
        Assert.Equal("1", Assert.Single(coverages).Meta.VersionId);
        Assert.DoesNotContain(coverages[0].Identifier, i => i.System == ReferralSteps.SourceRecord);
    }

    public void Dispose() => _nodes.Dispose();
}
