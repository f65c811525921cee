namespace Referral.Web.DemoData;

/// <summary>Whether a node seeds synthetic demo patients into an empty store at start (configuration section <c>DemoData</c>).</summary>
public sealed class DemoDataOptions
{
    public const string Section = "DemoData";

    public bool Seed { get; set; } = true;

    /// <summary>How many synthetic patients to create.</summary>
    public int Patients { get; set; } = 50;

    /// <summary>
    /// How many of them are alliance patients known at every node seeded with the same <see cref="RandomSeed"/>: the same
    /// resident ID, alliance MPI number, name and diagnosis, so patient matching has something to match. The rest are
    /// the node's own.
    /// </summary>
    public int SharedPatients { get; set; } = 10;

    /// <summary>Free Slots per working day, over the next five, that the node reserves for alliance referrals (0: none).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 16)]
    public int ReservedSlots { get; set; }

    /// <summary>Seed of the generator, so a demo shows the same patients every time.</summary>
    public int RandomSeed { get; set; } = 20261201;
}
