using System.Diagnostics.Metrics;

namespace Referral.Identity.Audit;

/// <summary>
/// The audit writer's instruments (meter <c>Referral.Audit</c>, e.g. <c>dotnet-counters monitor -n Referral.Web
/// --counters Referral.Audit</c>): records over flushes is how many requests share each durable write.
/// </summary>
internal static class AuditMeter
{
    private static readonly Meter Meter = new("Referral.Audit");

    /// <summary>Durable writes: journal flushes, or group commits to the trail without the journal.</summary>
    public static readonly Counter<long> Flushes = Meter.CreateCounter<long>("referral.audit.flushes", description: "Durable writes of audit records");

    public static readonly Counter<long> Records = Meter.CreateCounter<long>("referral.audit.records", description: "Audit records made durable");
}
