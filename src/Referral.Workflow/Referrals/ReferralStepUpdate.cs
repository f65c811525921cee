using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Referral.Fhir.Api;
using Referral.Fhir.Features.Persistence;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.Workflow.Referrals;

/// <summary>
/// <c>PUT Task/[id]</c> of a referral step with consequences here (<see cref="ReferralConsequences"/>): the Task is
/// stored exactly as a plain update would store it (If-Match honoured, same response), with the consequences staged
/// in the same transaction.
/// </summary>
public sealed class ReferralStepUpdate(ResourceStore store, WriteUnit unit, ReferralConsequences consequences) : IUpdateHandler
{
    public async Task<IResult?> TryHandleAsync(Resource resource, string id, HttpContext context, CancellationToken ct)
    {
        if (resource is not FhirTask task || !ReferralConsequences.MayFollow(task))
        {
            return null;
        }

        var ifMatch = FhirRequest.IfMatchVersion(context);
        var index = store.PrepareIndex(task);
        var (entity, created) = await unit.RunAsync(async token =>
        {
            // First: staging the update retires the current version's index rows, by which the consequences find it.
            await consequences.StageAsync(task, new HashSet<string>(StringComparer.Ordinal) { $"Task/{id}" }, token);
            return await store.StageUpdateAsync(task, id, ifMatch, "PUT", token, index);
        }, ct);
        return CrudEndpoints.WriteResponse(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, entity, task);
    }
}
