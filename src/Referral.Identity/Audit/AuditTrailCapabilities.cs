using Hl7.Fhir.Model;
using Referral.Fhir.Api;

namespace Referral.Identity.Audit;

/// <summary>
/// Makes the CapabilityStatement's AuditEvent entry say what the audit trail serves: read, vread, history and search
/// (no writes), the parameters and modifiers it answers, chains on agent, entity and patient, no includes; and that
/// system-level search and history reach it.
/// </summary>
public sealed class AuditTrailCapabilities : ICapabilityContributor
{
    public void Contribute(CapabilityStatement.RestComponent rest)
    {
        if (rest.Resource.FirstOrDefault(r => r.Type == AuditTrailStore.Type) is not { } auditEvent)
        {
            return;
        }

        auditEvent.Documentation = new Markdown(
            "Served from the node's audit trail, to admins only; written by the node itself (405 to create, change or delete). "
            + "Searchable alone in a system-level search (`_type=AuditEvent`), part of an admin's system history, and reachable from other types "
            + "by `_revinclude=AuditEvent:patient|entity|agent` and `_has:AuditEvent:patient|entity|agent:…` (admins only; a 403 for others on `_has`, "
            + "nothing included for them by `_revinclude`; `_revinclude=*` does not include AuditEvents).");
        auditEvent.Interaction =
        [
            .. new[]
            {
                CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.Vread,
                CapabilityStatement.TypeRestfulInteraction.HistoryInstance, CapabilityStatement.TypeRestfulInteraction.HistoryType,
                CapabilityStatement.TypeRestfulInteraction.SearchType,
            }.Select(code => new CapabilityStatement.ResourceInteractionComponent { Code = code }),
        ];
        auditEvent.UpdateCreate = false;
        auditEvent.ConditionalCreate = false;
        auditEvent.ConditionalUpdate = false;
        auditEvent.ConditionalDelete = CapabilityStatement.ConditionalDeleteStatus.NotSupported;
        auditEvent.SearchParam = [.. auditEvent.SearchParam.Where(p => AuditTrailSearch.Parameters.Contains(p.Name)).Select(Describe)];
        auditEvent.SearchInclude = [];
        auditEvent.SearchRevInclude = [];
        auditEvent.Operation.RemoveAll(o => o.Name != "validate");
    }

    private static CapabilityStatement.SearchParamComponent Describe(CapabilityStatement.SearchParamComponent parameter)
    {
        var code = parameter.Name ?? "";
        var text = "Modifiers: " + string.Join(", ", AuditTrailSearch.ModifiersOf(code).Select(m => ":" + m));
        if (AuditTrailSearch.ReferenceParameters.Contains(code))
        {
            text += $". Chains (`{parameter.Name}.param`, `{parameter.Name}:Type.param`) are resolved in the FHIR store among the resources the caller may see"
                + $" (at most {AuditTrailSearch.MaxChainTargets}).";
        }

        parameter.Documentation = new Markdown(text);
        return parameter;
    }
}
