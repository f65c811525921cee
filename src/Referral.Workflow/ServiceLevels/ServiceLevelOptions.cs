using Hl7.Fhir.Model;

namespace Referral.Workflow.ServiceLevels;

/// <summary>
/// How soon the receiving hospital must answer (accept or reject) a referral it has filed, per the referral's priority
/// (configuration section <c>Alliance:ServiceLevels</c>); coordinators see a referral as late once that time has passed.
/// </summary>
public sealed class ServiceLevelOptions
{
    public const string Section = "Alliance:ServiceLevels";

    /// <summary>The shortest answer time a level may name: less would make every referral late before anyone could read it.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(5);

    /// <summary>The longest: beyond it a level no longer tracks anything.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    public TimeSpan Routine { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan Urgent { get; set; } = TimeSpan.FromHours(4);

    public TimeSpan Asap { get; set; } = TimeSpan.FromHours(2);

    public TimeSpan Stat { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The answer time for a priority; a referral that states none is routine (FHIR's default meaning).</summary>
    public TimeSpan For(RequestPriority? priority) => priority switch
    {
        RequestPriority.Stat => Stat,
        RequestPriority.Asap => Asap,
        RequestPriority.Urgent => Urgent,
        _ => Routine,
    };
}
