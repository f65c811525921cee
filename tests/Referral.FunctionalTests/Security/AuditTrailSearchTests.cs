using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// An admin finds accesses in the audit trail with the AuditEvent search parameters: by record, patient, person,
/// role, outcome, action, time and query; pages through them; and reads each one back by id, as JSON or XML.
/// </summary>
public abstract class AuditTrailSearchTests(NodeFactory node)
{
    /// <summary>A doctor's session on a new patient: create, read, vread, search, a refused delete; and an anonymous read.</summary>
    private async Task<(string PatientId, DateTimeOffset Before, DateTimeOffset After)> SessionAsync()
    {
        using var doctor = node.CreateClient(await TokenFlows.UserTokenAsync(node, "doctor"));
        using var anonymous = node.CreateAnonymousClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var family = "Trail" + Guid.NewGuid().ToString("N")[..8];
        var patient = await doctor.CreateAsync(new Patient { Name = [new HumanName { Family = family }] });
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}")).Dispose();
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}/_history/1")).Dispose();
        (await doctor.GetAsync($"/fhir/Patient?family={family}")).Dispose();
        using (var refused = await doctor.DeleteAsync($"/fhir/Patient/{patient.Id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var unauthenticated = await anonymous.GetAsync($"/fhir/Patient/{patient.Id}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        }

        return (patient.Id!, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async System.Threading.Tasks.Task Each_search_parameter_finds_the_accesses_it_names()
    {
        var (id, before, after) = await SessionAsync();
        using var admin = node.CreateClient();
        async Task<List<AuditEvent>> Find(string query) => [.. (await admin.SearchAsync($"AuditEvent?entity=Patient/{id}&{query}")).Matches<AuditEvent>()];

        // Everything but the search names the patient: create, read, vread, the refused delete and the refused read.
        Assert.Equal(5, (await Find("_count=50")).Count);
        Assert.Equal(5, (await admin.SearchAsync($"AuditEvent?patient={id}")).Matches<AuditEvent>().Count());
        Assert.Equal(2, (await Find("subtype=http://hl7.org/fhir/restful-interaction|read")).Count);
        Assert.All(await Find("outcome=4"), a => Assert.Equal(AuditEvent.AuditEventOutcome.N4, a.Outcome));
        Assert.Equal(2, (await Find("outcome=4")).Count);
        Assert.Equal(3, (await Find("outcome:not=4")).Count);
        Assert.Equal(4, (await Find("agent=Practitioner/dr-wang")).Count);
        Assert.Equal(4, (await Find("altid=doctor")).Count);
        Assert.Equal(4, (await Find("agent-role=urn:referral:role|doctor")).Count);
        Assert.Equal(4, (await Find("agent=Organization/municipal-hospital")).Count);
        Assert.Single(await Find("agent:missing=true"));
        Assert.Equal("create", (await Find("action=http://hl7.org/fhir/audit-event-action|C")).Single().Subtype[0].Code);
        Assert.Equal(2, (await Find("action=D,C")).Count);
        var name = (await Find("altid=doctor"))[0].Agent[0].Name;
        Assert.Equal(4, (await Find($"agent-name={Uri.EscapeDataString(name[..2].ToUpperInvariant())}")).Count);
        Assert.Equal(4, (await Find($"agent-name:exact={Uri.EscapeDataString(name)}")).Count);
        Assert.Empty(await Find($"agent-name:exact={Uri.EscapeDataString(name[..^1])}"));
        Assert.Equal(4, (await Find($"agent-name:contains={Uri.EscapeDataString(name[1..^1])}")).Count);
        Assert.Single(await Find("agent-name:missing=true"));
        Assert.Equal(5, (await Find($"date=ge{Instant(before)}&date=le{Instant(after)}")).Count);
        Assert.Empty(await Find($"date=lt{Instant(before)}"));
        Assert.Empty(await Find("entity-name=anything"));
        Assert.Equal(5, (await Find("type=rest&entity-type=2")).Count);

        var search = (await admin.SearchAsync("AuditEvent?agent=Practitioner/dr-wang&entity-role=24&subtype=search-type&_sort=-date&_count=1"))
            .Matches<AuditEvent>().Single();
        Assert.StartsWith("family=Trail", System.Text.Encoding.UTF8.GetString(search.Entity.Single(e => e.Query is not null).Query), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task Results_are_counted_sorted_and_paged()
    {
        var (id, _, _) = await SessionAsync();
        using var admin = node.CreateClient();

        Assert.Equal(5, (await admin.SearchAsync($"AuditEvent?entity=Patient/{id}&_summary=count")).Total);
        var newestFirst = (await admin.SearchAsync($"AuditEvent?entity=Patient/{id}&_sort=-date")).Matches<AuditEvent>().ToList();
        Assert.Equal(newestFirst.OrderByDescending(a => a.Recorded).ThenByDescending(a => long.Parse(a.Id, CultureInfo.InvariantCulture)).Select(a => a.Id), newestFirst.Select(a => a.Id));
        Assert.Equal("create", newestFirst[^1].Subtype[0].Code);

        var first = await admin.SearchAsync($"AuditEvent?entity=Patient/{id}&_count=3");
        Assert.Equal(5, first.Total);
        Assert.Equal(3, first.Matches<AuditEvent>().Count());
        var next = first.Link.Single(l => l.Relation == "next").Url;
        using var response = await admin.GetAsync(new Uri(next).PathAndQuery);
        var second = await response.ReadAsync<Bundle>();
        Assert.Equal(2, second.Matches<AuditEvent>().Count());
        Assert.Empty(first.Matches<AuditEvent>().Select(a => a.Id).Intersect(second.Matches<AuditEvent>().Select(a => a.Id)));
    }

    [Fact]
    public async System.Threading.Tasks.Task An_AuditEvent_is_read_by_id_as_json_or_xml_and_has_exactly_one_version()
    {
        var (id, _, _) = await SessionAsync();
        using var admin = node.CreateClient();
        var created = (await admin.SearchAsync($"AuditEvent?entity=Patient/{id}&action=C")).Matches<AuditEvent>().Single();

        using (var read = await admin.GetAsync($"/fhir/AuditEvent/{created.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var audit = await read.ReadAsync<AuditEvent>();
            Assert.Equal($"Patient/{id}/_history/1", audit.Entity.Single(e => e.What.Reference is not null).What.Reference);
            Assert.Equal("Practitioner/dr-wang", audit.Agent[0].Who.Reference);
        }

        using (var xml = await admin.GetAsync($"/fhir/AuditEvent/{created.Id}?_format=xml"))
        {
            Assert.Equal(HttpStatusCode.OK, xml.StatusCode);
            var parsed = new FhirXmlDeserializer().Deserialize<AuditEvent>(await xml.Content.ReadAsStringAsync());
            Assert.Equal(created.Id, parsed.Id);
        }

        using (var version = await admin.GetAsync($"/fhir/AuditEvent/{created.Id}/_history/1"))
        {
            Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        }

        using (var history = await admin.GetAsync($"/fhir/AuditEvent/{created.Id}/_history"))
        {
            Assert.Single((await history.ReadAsync<Bundle>()).Entry);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/fhir/AuditEvent/{created.Id}/_history/2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/fhir/AuditEvent/999999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/fhir/AuditEvent/not-a-number")).StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_bad_value_is_a_400_naming_the_parameter_and_an_unknown_one_is_reported_or_refused()
    {
        using var admin = node.CreateClient();
        using (var badDate = await admin.GetAsync("/fhir/AuditEvent?date=yesterday"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
            Assert.Equal("date", (await badDate.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());
        }

        var lenient = await admin.SearchAsync("AuditEvent?entity.no-such-parameter=x&_count=1");
        Assert.Contains(lenient.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/AuditEvent?entity.no-such-parameter=x");
        request.Headers.Add("Prefer", "handling=strict");
        using var strict = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
    }

    private static string Instant(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}

/// <summary>A node with audit on, on SQLite.</summary>
public sealed class SqliteAuditNode : IDisposable
{
    public NodeFactory Factory { get; } = new("Sqlite", new Dictionary<string, string?> { ["Audit:Enabled"] = "true" });

    public void Dispose() => Factory.Dispose();
}

/// <summary>A node with audit on, on PostgreSQL.</summary>
public sealed class PostgresAuditNode : IDisposable
{
    public NodeFactory Factory { get; } = new("PostgreSql", new Dictionary<string, string?> { ["Audit:Enabled"] = "true" });

    public void Dispose() => Factory.Dispose();
}

public sealed class SqliteAuditTrailSearchTests(SqliteAuditNode node) : AuditTrailSearchTests(node.Factory), IClassFixture<SqliteAuditNode>;

public sealed class PostgresAuditTrailSearchTests(PostgresAuditNode node) : AuditTrailSearchTests(node.Factory), IClassFixture<PostgresAuditNode>;

/// <summary>AuditEvents an earlier version stored in the FHIR store come into the trail as the records they were made from.</summary>
public sealed class LegacyAuditEventImportTests(SqliteAuditNode node) : IClassFixture<SqliteAuditNode>
{
    [Fact]
    public async System.Threading.Tasks.Task An_AuditEvent_left_in_the_FHIR_store_is_moved_into_the_trail_at_start()
    {
        var patientId = Guid.NewGuid().ToString("N");
        var old = Referral.Identity.Audit.AuditEventRendering.Render(
            new Referral.Identity.Audit.AuditRecord { Subtype = "read", Action = "R", Status = 200, RecordedTicks = DateTime.UtcNow.Ticks, EntityType = "Patient", EntityId = patientId },
            new Referral.Identity.NodeOptions { Name = "Municipal", Organization = "Organization/municipal-hospital" });
        old.Id = null;
        await using (var scope = node.Factory.Services.CreateAsyncScope())
        {
            // As the node's audit writer stored them before the trail: a resource in the store, written by the node itself.
            var store = scope.ServiceProvider.GetRequiredService<Referral.Fhir.Features.Persistence.ResourceStore>();
            await scope.ServiceProvider.GetRequiredService<Referral.Fhir.Features.Persistence.WriteUnit>().RunAsync(_ =>
            {
                store.StageCreate(old);
                return System.Threading.Tasks.Task.FromResult(0);
            }, CancellationToken.None);
        }

        await Referral.Identity.Audit.AuditTrailExtensions.MigrateAuditTrailAsync(node.Factory.Services);

        using var admin = node.Factory.CreateClient();
        var moved = (await admin.SearchAsync($"AuditEvent?entity=Patient/{patientId}")).Matches<AuditEvent>().Single();
        Assert.Equal("read", moved.Subtype[0].Code);
        await using var check = node.Factory.Services.CreateAsyncScope();
        Assert.False(await check.ServiceProvider.GetRequiredService<Referral.Persistence.FhirDbContext>().Resources.AnyAsync(r => r.ResourceType == "AuditEvent"));
    }

    [Fact]
    public void An_AuditEvent_of_the_old_store_becomes_the_record_it_was_made_from()
    {
        var node = new Referral.Identity.NodeOptions { Name = "Municipal", Organization = "Organization/municipal-hospital" };
        var records = new[]
        {
            new Referral.Identity.Audit.AuditRecord
            {
                Id = 7, RecordedTicks = new DateTime(2026, 11, 30, 8, 15, 0, DateTimeKind.Utc).Ticks, Subtype = "vread", Action = "R", Status = 200,
                AgentReference = "Practitioner/dr-wang", AgentDisplay = "Dr Wang", AltId = "doctor", AgentName = "Dr Wang", Roles = "doctor",
                Address = "10.0.0.7", Organization = "Organization/municipal-hospital", EntityType = "Patient", EntityId = "p1", EntityVersion = "2",
            },
            new Referral.Identity.Audit.AuditRecord
            {
                Id = 8, RecordedTicks = new DateTime(2026, 11, 30, 8, 16, 0, DateTimeKind.Utc).Ticks, Subtype = "search-type", Action = "E", Status = 403,
                AgentClient = "cancer-hospital", AgentDisplay = "cancer-hospital", AltId = "cancer-hospital", AgentName = "cancer-hospital",
                Roles = "partner-node", QueryType = "Observation", Query = "patient=p1&code=1234-5",
            },
            new Referral.Identity.Audit.AuditRecord { Id = 9, RecordedTicks = 1, Subtype = "read", Action = "R", Status = 401, EntityType = "Patient", EntityId = "p1" },
        };

        foreach (var record in records)
        {
            var imported = Referral.Identity.Audit.LegacyAuditEventImport.RecordOf(Referral.Identity.Audit.AuditEventRendering.Render(record, node), 0);
            imported.Id = record.Id;
            Assert.Equivalent(record, imported, strict: true);
        }
    }
}
