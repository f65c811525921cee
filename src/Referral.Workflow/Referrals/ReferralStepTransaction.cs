using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Transactions;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.Referrals;

/// <summary>
/// A transaction Bundle (not a partner's package) writing a referral step with consequences here
/// (<see cref="ReferralConsequences"/>), e.g. the receiver completing a cancellation request together with cancelling
/// the referral: processed as any transaction, with the consequences staged in the same database transaction.
/// </summary>
public sealed class ReferralStepTransaction(BundleProcessor processor, ReferralConsequences consequences) : IBundleHandler
{
    public async Task<IResult?> TryHandleAsync(Bundle bundle, HttpContext context, CancellationToken ct)
    {
        if (bundle.Type != Bundle.BundleType.Transaction || bundle.Identifier?.System == ReferralCodes.PackageIdentifierSystem)
        {
            return null;
        }

        var steps = bundle.Entry.Where(e => e.Request?.Method is Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.POST)
            .Select(e => e.Resource).OfType<FhirTask>().Where(ReferralConsequences.MayFollow).ToList();
        if (steps.Count == 0)
        {
            return null;
        }

        // What the client writes itself by id (it may cancel the Appointment or free the Slot in its own way).
        var alongside = ReferralConsequences.WrittenById(bundle.Entry);
        var response = await processor.ProcessAsync(bundle, context, ct, alongside: async token =>
        {
            foreach (var step in steps)
            {
                await consequences.StageAsync(step, alongside, token);
            }
        });
        return new FhirResult(StatusCodes.Status200OK, response);
    }
}
