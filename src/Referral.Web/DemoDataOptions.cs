namespace Referral.Web;

/// <summary>Whether a node seeds synthetic demo patients into an empty store at start (configuration section <c>DemoData</c>).</summary>
public sealed class DemoDataOptions
{
    public const string Section = "DemoData";

    public bool Seed { get; set; } = true;

    /// <summary>How many synthetic patients to create.</summary>
    public int Patients { get; set; } = 50;

    /// <summary>Seed of the generator, so a demo shows the same patients every time.</summary>
    public int RandomSeed { get; set; } = 20261201;
}
