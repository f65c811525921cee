namespace Referral.Workflow.Worklists;

/// <summary>SignalR scale-out (configuration section <c>SignalR</c>).</summary>
public sealed class SignalROptions
{
    public const string Section = "SignalR";

    /// <summary>
    /// The StackExchange.Redis configuration of the backplane (e.g. <c>redis:6379,password=…</c>) through which N
    /// instances of this node share hub connections and groups; unset, hubs work within one process. Never logged.
    /// </summary>
    public string? Redis { get; set; }
}
