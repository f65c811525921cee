using System.Text;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Identity.Audit;

/// <summary>
/// Moves AuditEvents that earlier versions of the node stored as resources in the FHIR store into the audit trail, once,
/// at start: the API serves AuditEvents from the trail only, and no audit record may be lost in the upgrade. Each batch
/// is committed to the trail before it leaves the store, so a crash in between repeats a batch rather than loses it.
/// </summary>
internal static class LegacyAuditEventImport
{
    private const int BatchSize = 500;

    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var moved = 0;
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
            var serializer = scope.ServiceProvider.GetRequiredService<FhirSerializer>();
            var batch = await store.Resources.AsNoTracking()
                .Where(r => r.ResourceType == "AuditEvent").OrderBy(r => r.Sid).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return moved;
            }

            var trail = scope.ServiceProvider.GetRequiredService<AuditTrailContext>();
            trail.Records.AddRange(batch.Where(r => !r.IsDeleted && r.Json.Length > 0)
                .Select(r => RecordOf((AuditEvent)serializer.ParseStored(r.Json), r.LastUpdatedTicks)));
            await trail.SaveChangesAsync(ct);

            var last = batch[^1].Sid;
            using (store.Database.IsSqlite() ? await scope.ServiceProvider.GetRequiredService<SqliteWriterQueue>().EnterAsync(ct) : null)
            {
                // Index rows go with their version (cascading foreign keys).
                await store.Resources.Where(r => r.ResourceType == "AuditEvent" && r.Sid <= last).ExecuteDeleteAsync(ct);
            }

            moved += batch.Count;
        }
    }

    /// <summary>The record of an AuditEvent written by <c>AuditEventFactory</c> before the trail existed (the same shape the trail renders).</summary>
    internal static AuditRecord RecordOf(AuditEvent audit, long storedTicks)
    {
        var requestor = audit.Agent.FirstOrDefault(a => a.Requestor == true);
        var who = requestor?.Who;
        var record = new AuditRecord
        {
            RecordedTicks = audit.Recorded?.UtcTicks ?? storedTicks,
            Subtype = audit.Subtype.FirstOrDefault()?.Code ?? "unknown",
            Action = (audit.Action ?? AuditEvent.AuditEventAction.E).ToString(),
            Status = audit.OutcomeDesc is { } desc && desc.StartsWith("HTTP ", StringComparison.Ordinal) && int.TryParse(desc[5..], out var status)
                ? status
                : audit.Outcome switch { AuditEvent.AuditEventOutcome.N0 => 200, AuditEvent.AuditEventOutcome.N4 => 400, _ => 500 },
            AgentReference = who?.Reference,
            AgentClient = who?.Reference is null ? who?.Identifier?.Value : null,
            AgentDisplay = who?.Reference is null && who?.Identifier is null ? null : who?.Display,
            AltId = requestor?.AltId,
            AgentName = requestor?.Name,
            Roles = requestor is { Role.Count: > 0 } ? string.Join(' ', requestor.Role.Select(r => r.Coding.FirstOrDefault()?.Code)) : null,
            Address = requestor?.Network?.Address,
            Organization = audit.Agent.FirstOrDefault(a => a.Requestor == false)?.Who?.Reference,
        };

        if (audit.Entity.FirstOrDefault(e => e.What?.Reference is not null)?.What!.Reference!.Split('/') is [var type, var id, ..] parts)
        {
            (record.EntityType, record.EntityId) = (type, id);
            record.EntityVersion = parts is [_, _, "_history", var version] ? version : null;
        }

        if (audit.Entity.FirstOrDefault(e => e.Query is not null) is { Query: { } bytes } query)
        {
            record.QueryType = query.Description ?? "all resource types";
            record.Query = Encoding.UTF8.GetString(bytes);
        }

        return record;
    }
}
