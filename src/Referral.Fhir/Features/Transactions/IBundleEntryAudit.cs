using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;

namespace Referral.Fhir.Features.Transactions;

/// <summary>
/// Told what each entry of a batch or transaction Bundle did, so that the audit trail can record it as the same request
/// outside a Bundle would be. Registered by the audit trail when it is on; without it the processor reports nothing.
/// </summary>
public interface IBundleEntryAudit
{
    /// <summary>
    /// Called once for every batch or transaction Bundle processed in <paramref name="context"/>'s request, whether or not
    /// it succeeded, with its entries in Bundle order (empty when it was refused before its entries were read).
    /// </summary>
    void Processed(HttpContext context, Bundle.BundleType type, IReadOnlyList<EntryInteraction> entries);
}

/// <summary>
/// One Bundle entry as an interaction: its restful-interaction code (read, vread, search-type, history-instance, create,
/// update, patch, delete …), the resource it names or wrote (a create's new id and version), the raw query of its
/// request URL, and the status it answered. A null <see cref="Status"/> means the entry has no outcome of its own and
/// shares the status the whole request answered (a transaction rolled back, or entries never reached).
/// </summary>
public sealed record EntryInteraction(string Code, string? ResourceType, string? Id, string? Version, string Query, int? Status);
