using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace Referral.Workflow.ServiceLevels;

/// <summary>
/// Stamps a referral Task the receiver files with its answer deadline: <c>restriction.period</c> from the time it was
/// received to that time plus the service level for its priority (the Task's, else its ServiceRequest's). The Task
/// carries it back to the placer with the "received" status, so both coordinators find late referrals with the
/// <c>due</c> search parameter (<c>Task?…&amp;status=requested,received&amp;due=lt[now]</c>).
/// </summary>
public sealed class AnswerDeadline(IOptions<ServiceLevelOptions> levels)
{
    public void Stamp(Hl7.Fhir.Model.Task task, ServiceRequest? request, DateTimeOffset received)
    {
        var answerWithin = levels.Value.For(task.Priority ?? request?.Priority);
        task.Restriction ??= new Hl7.Fhir.Model.Task.RestrictionComponent();
        task.Restriction.Period = new Period(new FhirDateTime(received), new FhirDateTime(received + answerWithin));
    }
}
