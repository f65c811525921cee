using System.Linq.Expressions;
using Referral.Persistence;

namespace Referral.Identity.Access;

/// <summary>
/// The SQL filter behind organisation scoping. A resource is patient data when it references a Patient (the same
/// rule as <c>$everything</c>); a Task naming no patient is visible to the organisations it names as owner or
/// requester; patient data is visible when one of those patients is accessible to the organisation:
/// managed by it (patients with no managingOrganization count as the node's own), or named by a referral
/// (ServiceRequest performer/requester), a referral or consultation Task (owner/requester) or a sharing Consent
/// (provision actor) for that patient which is not closed. Everything is a correlated EXISTS on the index tables,
/// so a read costs a few index seeks and a search's page and count are filtered in the same query. A deleted
/// patient stays its organisation's: its tombstone keeps the managing-organisation row. The status lists are inlined as
/// SQL literals (<see cref="LiteralIn"/>): a collection parameter or <c>EF.Constant</c> would make EF regenerate the SQL on every request.
/// </summary>
internal static class CompartmentScope
{
    /// <summary>For reading, a referral grants access only while it is open.</summary>
    public static readonly string[] ClosedForReading = ["draft", "proposed", "revoked", "completed", "entered-in-error", "cancelled", "rejected", "failed", "inactive"];

    /// <summary>
    /// For writing, any referral that was really made counts, so the party can still file its closing status
    /// (completed, cancelled) into that patient's compartment.
    /// </summary>
    public static readonly string[] ClosedForWriting = ["draft", "entered-in-error"];

    public static Expression<Func<ResourceEntity, bool>> Visible(
        FhirDbContext db, string? organizationId, bool isHomeOrganization, string[] closedStatuses, string? confinedToPatient)
    {
        var references = db.ReferenceIndices;
        var tokens = db.TokenIndices;
        var resources = db.Resources;
        // Conditions on the caller alone are decided here, not in the expression: EF compiles (and the JIT then
        // compiles again) every subexpression it can evaluate, on every request.
        Expression<Func<string?, bool>> managedHere = isHomeOrganization
            ? patientId => resources.Any(p => p.ResourceType == "Patient" && p.ResourceId == patientId && !p.IsHistory
                && (references.Any(i => i.Sid == p.Sid && i.Param == "organization" && i.TargetType == "Organization" && i.TargetId == organizationId)
                    || !references.Any(i => i.Sid == p.Sid && i.Param == "organization")))
            : patientId => resources.Any(p => p.ResourceType == "Patient" && p.ResourceId == patientId && !p.IsHistory
                && references.Any(i => i.Sid == p.Sid && i.Param == "organization" && i.TargetType == "Organization" && i.TargetId == organizationId));
        Expression<Func<string?, bool>> granted = patientId =>
            ManagedHere(patientId)
            || references.Any(pr => pr.TargetType == "Patient" && pr.TargetId == patientId
                && references.Any(g => g.Sid == pr.Sid && g.TargetType == "Organization" && g.TargetId == organizationId
                    && ((g.ResourceType == "ServiceRequest" && (g.Param == "performer" || g.Param == "requester"))
                        || (g.ResourceType == "Task" && (g.Param == "owner" || g.Param == "requester"))
                        || (g.ResourceType == "Consent" && g.Param == "actor")))
                && !tokens.Any(t => t.Sid == pr.Sid && t.Param == "status" && IsClosed(t.Code)));
        Expression<Func<string?, bool>> accessible = organizationId is null
            ? patientId => false
            : confinedToPatient is null
                ? granted
                : patientId => patientId == confinedToPatient && Granted(patientId);

        // A Task that names no patient (a patient-match Task holding a partner's package, a to-do between hospitals)
        // is the business of the organisations it is between: its owner and requester, or anyone when it names neither.
        Expression<Func<ResourceEntity, bool>> template = r =>
            (r.ResourceType == "Patient" && Accessible(r.ResourceId))
            || (r.ResourceType != "Patient"
                && ((!references.Any(i => i.Sid == r.Sid && i.TargetType == "Patient")
                        && (r.ResourceType != "Task"
                            || !references.Any(i => i.Sid == r.Sid && (i.Param == "owner" || i.Param == "requester") && i.TargetType == "Organization")
                            || references.Any(i => i.Sid == r.Sid && (i.Param == "owner" || i.Param == "requester") && i.TargetType == "Organization" && i.TargetId == organizationId)))
                    || references.Any(i => i.Sid == r.Sid && i.TargetType == "Patient" && Accessible(i.TargetId))));

        var inlined = new MarkerInliner(nameof(Granted), granted).Visit(accessible);
        inlined = new MarkerInliner(nameof(ManagedHere), managedHere).Visit(inlined);
        inlined = new MarkerInliner(nameof(IsClosed), LiteralIn.Of(closedStatuses)).Visit(inlined);
        return (Expression<Func<ResourceEntity, bool>>)new MarkerInliner(nameof(Accessible), (Expression<Func<string?, bool>>)inlined).Visit(template);
    }

    /// <summary>Marks where <see cref="Visible"/>'s template puts the accessible-patient condition; inlined before EF sees it.</summary>
    private static bool Accessible(string? patientId) => throw new InvalidOperationException($"{patientId} only marks where the access condition goes.");

    /// <summary>Marks where the organisation's grants (managed, referred, consented) go in the confined form.</summary>
    private static bool Granted(string? patientId) => throw new InvalidOperationException($"{patientId} only marks where the grants go.");

    /// <summary>Marks where the managed-by-the-organisation condition goes.</summary>
    private static bool ManagedHere(string? patientId) => throw new InvalidOperationException($"{patientId} only marks where the managing-organisation condition goes.");

    /// <summary>Marks where the closed-status list goes; inlined as SQL literals before EF sees it.</summary>
    private static bool IsClosed(string? status) => throw new InvalidOperationException($"{status} only marks where the status list goes.");

    /// <summary>Replaces each call of the marker method with the body of <paramref name="replacement"/> applied to the call's argument.</summary>
    private sealed class MarkerInliner(string marker, Expression<Func<string?, bool>> replacement) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node) =>
            node.Method.Name == marker && node.Method.DeclaringType == typeof(CompartmentScope)
                ? new ParameterReplacer(replacement.Parameters[0], Visit(node.Arguments[0])).Visit(replacement.Body)
                : base.VisitMethodCall(node);
    }
}
