using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Persistence;

namespace Referral.FaultTests;

/// <summary>What one node holds of the referrals, read through its FHIR API, and what its outbox still has to deliver.</summary>
internal sealed record NodeSnapshot(
    IReadOnlyList<Hl7.Fhir.Model.Task> Tasks,
    IReadOnlyList<ServiceRequest> Requests,
    IReadOnlyList<Patient> Patients,
    IReadOnlyList<Condition> Conditions,
    IReadOnlyList<Consent> Consents,
    int UndeliveredMessages,
    int Messages)
{
    public static async Task<NodeSnapshot> TakeAsync(NodeClient client, string database, CancellationToken ct)
    {
        var (undelivered, messages) = await OutboxAsync(database, ct);
        return new NodeSnapshot(
            await client.SearchAllAsync<Hl7.Fhir.Model.Task>("Task?_count=500", ct),
            await client.SearchAllAsync<ServiceRequest>("ServiceRequest?_count=500", ct),
            await client.SearchAllAsync<Patient>("Patient?_count=500", ct),
            await client.SearchAllAsync<Condition>("Condition?_count=500", ct),
            await client.SearchAllAsync<Consent>("Consent?_count=500", ct),
            undelivered,
            messages);
    }

    /// <summary>Outbox messages not yet delivered, and all of them; read from the node's SQLite file (the outbox is not a FHIR resource).</summary>
    public static async Task<(int Undelivered, int All)> OutboxAsync(string database, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<SqliteFhirDbContext>()
            .UseSqlite($"Data Source={database};Mode=ReadOnly;Pooling=False;Default Timeout=30").Options;
        await using var db = new SqliteFhirDbContext(options);
        return (await db.Outbox.CountAsync(m => m.DeliveredTicks == null, ct), await db.Outbox.CountAsync(ct));
    }

    /// <summary>Tasks grouped by the referral identifier.</summary>
    public ILookup<string, Hl7.Fhir.Model.Task> TasksByReferral =>
        Tasks.ToLookup(t => IdentifierValue(t.Identifier, ReferralSubmission.ReferralSystem) ?? "(none)");

    public ILookup<string, ServiceRequest> RequestsByReferral =>
        Requests.ToLookup(r => IdentifierValue(r.Identifier, ReferralSubmission.ReferralSystem) ?? "(none)");

    public static string? IdentifierValue(IEnumerable<Identifier> identifiers, string system) =>
        identifiers.FirstOrDefault(i => i.System == system)?.Value;
}
