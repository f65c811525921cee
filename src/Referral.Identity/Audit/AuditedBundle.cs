using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Referral.Fhir.Features.Transactions;

namespace Referral.Identity.Audit;

/// <summary>
/// The batch or transaction Bundles a request carried, kept on the request (as a feature) until
/// <see cref="AuditMiddleware"/> records each entry as its own interaction alongside the request's record.
/// </summary>
public sealed class AuditedBundle(Bundle.BundleType type)
{
    /// <summary>The type of the first Bundle processed: the request's own record says batch or transaction by it.</summary>
    public Bundle.BundleType Type { get; } = type;

    public string Code => Type == Bundle.BundleType.Batch ? "batch" : "transaction";

    /// <summary>Every entry processed in the request, in Bundle order.</summary>
    public List<EntryInteraction> Entries { get; } = [];
}

/// <summary>What the bundle processor reports, collected on the request for the audit middleware; registered only when auditing is on.</summary>
public sealed class BundleEntryAudit : IBundleEntryAudit
{
    public void Processed(HttpContext context, Bundle.BundleType type, IReadOnlyList<EntryInteraction> entries)
    {
        var bundle = context.Features.Get<AuditedBundle>();
        if (bundle is null)
        {
            bundle = new AuditedBundle(type);
            context.Features.Set(bundle);
        }

        bundle.Entries.AddRange(entries);
    }
}
