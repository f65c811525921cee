using System.Globalization;
using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// Every entry of a batch or transaction Bundle leaves its own AuditEvent, as the same request outside a Bundle would
/// (interaction, resource, query, the entry's own status), next to the Bundle request's own AuditEvent (subtype batch or
/// transaction); all of them are stored before the response. A transaction that fails leaves each entry as an attempt
/// with the status the transaction answered, and nothing it would have created.
/// </summary>
public abstract class AuditedBundleEntryTests(NodeFactory node)
{
    private static string Family() => "Entry" + Guid.NewGuid().ToString("N")[..8];

    private static string UnknownId() => "unknown-" + Guid.NewGuid().ToString("N")[..8];

    private static (Bundle.HTTPVerb, string, Resource?, string?) Get(string url) => (Bundle.HTTPVerb.GET, url, null, null);

    private static string Status(Bundle.EntryComponent entry) => entry.Response.Status.Split(' ')[0];

    private static async Task<(HttpStatusCode Status, Resource Body)> PostAsync(
        HttpClient client, Bundle.BundleType type, params (Bundle.HTTPVerb Method, string Url, Resource? Resource, string? IfMatch)[] entries)
    {
        var bundle = new Bundle
        {
            Type = type,
            Entry =
            [
                .. entries.Select(e => new Bundle.EntryComponent
                {
                    FullUrl = e.Method == Bundle.HTTPVerb.POST ? $"urn:uuid:{Guid.NewGuid()}" : null,
                    Resource = e.Resource,
                    Request = new() { Method = e.Method, Url = e.Url, IfMatch = e.IfMatch },
                }),
            ],
        };
        using var response = await client.PostAsync("/fhir", FhirClient.Body(bundle));
        return (response.StatusCode, await response.ReadAsync<Resource>());
    }

    private static async Task<int> CountAsync(HttpClient admin) => (await admin.SearchAsync("AuditEvent?_summary=count")).Total ?? -1;

    /// <summary>
    /// The <paramref name="count"/> records stored just before the count search that followed them, oldest first (the
    /// trail's history is newest first; this test class runs its tests one at a time on its own node).
    /// </summary>
    private static async Task<List<AuditEvent>> BeforeTheCountAsync(HttpClient admin, int count)
    {
        var newest = await admin.SearchAsync($"AuditEvent/_history?_count={(count + 1).ToString(CultureInfo.InvariantCulture)}");
        var records = newest.Entry.Select(e => e.Resource).OfType<AuditEvent>().OrderBy(a => long.Parse(a.Id, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal("search-type", records[^1].Subtype.Single().Code);
        return records.GetRange(0, count);
    }

    /// <summary>Subtype, outcome and the resource an AuditEvent names (null for a search or a Bundle).</summary>
    private static (string Subtype, string Outcome, string? Entity) Describe(AuditEvent audit) =>
        (audit.Subtype.Single().Code!, audit.OutcomeDesc!, audit.Entity.FirstOrDefault(e => e.What is not null)?.What.Reference);

    /// <summary>The identifier of the HTTP request the AuditEvent's interaction came in (IHE BALP's XrequestId entity).</summary>
    private static string? RequestIdOf(AuditEvent audit) =>
        audit.Entity.SingleOrDefault(e => e.Type is { System: "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", Code: "XrequestId" })?.What.Identifier.Value;

    private static string? QueryOf(AuditEvent audit) =>
        audit.Entity.SingleOrDefault(e => e.Query is not null) is { } query ? $"{query.Description}?{Encoding.UTF8.GetString(query.Query)}" : null;

    private static async Task<List<(string, string, string?)>> FindAsync(HttpClient admin, string query) =>
        [.. (await admin.SearchAsync($"AuditEvent?{query}")).Matches<AuditEvent>().OrderBy(a => long.Parse(a.Id, CultureInfo.InvariantCulture)).Select(Describe)];

    [Fact]
    public async System.Threading.Tasks.Task An_admins_batch_leaves_an_AuditEvent_per_entry_with_its_own_status_and_one_saying_batch()
    {
        using var admin = node.CreateClient();
        var patient = (await admin.CreateAsync(new Patient { Name = [new HumanName { Family = Family() }] })).Id!;
        var unknown = UnknownId();
        var before = await CountAsync(admin);

        var (status, body) = await PostAsync(admin, Bundle.BundleType.Batch,
            Get($"Patient/{patient}"),
            Get($"Patient?_id={patient}"),
            (Bundle.HTTPVerb.POST, "Patient", new Patient { Name = [new HumanName { Family = Family() }] }, null),
            Get($"Patient/{unknown}"));

        Assert.Equal(HttpStatusCode.OK, status);
        var response = (Bundle)body;
        Assert.Equal(["200", "200", "201", "404"], response.Entry.Select(Status));
        var created = response.Entry[2].Response.Location.Split('/')[1];
        // The count search before, the batch and its four entries.
        Assert.Equal(before + 1 + 1 + 4, await CountAsync(admin));

        var records = await BeforeTheCountAsync(admin, 5);
        Assert.Equal(
            [
                ("batch", "HTTP 200", null),
                ("read", "HTTP 200", $"Patient/{patient}"),
                ("search-type", "HTTP 200", null),
                ("create", "HTTP 201", $"Patient/{created}/_history/1"),
                ("read", "HTTP 404", $"Patient/{unknown}"),
            ],
            records.Select(Describe));
        Assert.Equal($"Patient?_id={patient}", QueryOf(records[2]));
        Assert.Equal(AuditEvent.AuditEventAction.C, records[3].Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, records[4].Outcome);
        Assert.All(records, a => Assert.Equal("scripts", a.Agent[0].Who.Identifier.Value));

        Assert.Equal([("create", "HTTP 201", $"Patient/{patient}/_history/1"), ("read", "HTTP 200", $"Patient/{patient}")], await FindAsync(admin, $"patient={patient}"));
        Assert.Equal([("create", "HTTP 201", $"Patient/{created}/_history/1")], await FindAsync(admin, $"entity=Patient/{created}"));
        Assert.Equal([("read", "HTTP 404", $"Patient/{unknown}")], await FindAsync(admin, $"entity=Patient/{unknown}"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_transactions_entries_are_audited_with_the_ids_they_created()
    {
        using var admin = node.CreateClient();
        var existing = await admin.CreateAsync(new Patient { Name = [new HumanName { Family = Family() }] });
        existing.Gender = AdministrativeGender.Female;
        var family = Family();
        var newPatient = $"urn:uuid:{Guid.NewGuid()}";
        var before = await CountAsync(admin);

        var transaction = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { FullUrl = newPatient, Resource = new Patient { Name = [new HumanName { Family = family }] }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient" } },
                new()
                {
                    Resource = new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8480-6"), Subject = new ResourceReference(newPatient) },
                    Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
                },
                new() { Resource = existing, Request = new() { Method = Bundle.HTTPVerb.PUT, Url = $"Patient/{existing.Id}" } },
                new() { Request = new() { Method = Bundle.HTTPVerb.GET, Url = $"Patient?family={family}" } },
            ],
        };
        Bundle response;
        using (var posted = await admin.PostAsync("/fhir", FhirClient.Body(transaction)))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            response = await posted.ReadAsync<Bundle>();
        }

        Assert.Equal(["201", "201", "200", "200"], response.Entry.Select(Status));
        var patient = response.Entry[0].Response.Location.Split('/')[1];
        var observation = response.Entry[1].Response.Location.Split('/')[1];
        Assert.Equal(before + 1 + 1 + 4, await CountAsync(admin));

        // The count search before the transaction, the transaction and its four entries.
        var withTheOneBefore = await BeforeTheCountAsync(admin, 6);
        var records = withTheOneBefore[1..];
        Assert.Equal(
            [
                ("transaction", "HTTP 200", null),
                ("create", "HTTP 201", $"Patient/{patient}/_history/1"),
                ("create", "HTTP 201", $"Observation/{observation}/_history/1"),
                ("update", "HTTP 200", $"Patient/{existing.Id}"),
                ("search-type", "HTTP 200", null),
            ],
            records.Select(Describe));
        Assert.Equal($"Patient?family={family}", QueryOf(records[4]));

        // The transaction and its entries name the same request, and it is no other request's: an auditor finds them together.
        var requestId = RequestIdOf(records[0]);
        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.All(records, a => Assert.Equal(requestId, RequestIdOf(a)));
        var together = await FindAsync(admin, $"entity:identifier={Uri.EscapeDataString(requestId)}");
        Assert.Equal(records.Select(Describe), together);
        Assert.NotEqual(requestId, RequestIdOf(withTheOneBefore[0]));

        Assert.Equal([("create", "HTTP 201", $"Patient/{patient}/_history/1")], await FindAsync(admin, $"patient={patient}"));
        Assert.Equal([("create", "HTTP 201", $"Observation/{observation}/_history/1")], await FindAsync(admin, $"entity=Observation/{observation}"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_doctors_refused_and_unknown_entries_are_audited_with_their_403_and_404()
    {
        using var admin = node.CreateClient();
        using var doctor = node.CreateClient(await TokenFlows.UserTokenAsync(node, "doctor"));
        var patient = (await doctor.CreateAsync(new Patient { Name = [new HumanName { Family = Family() }] })).Id!;
        var audit = (await admin.SearchAsync("AuditEvent?_count=1")).Matches<AuditEvent>().Single().Id;
        var unknown = UnknownId();
        var before = await CountAsync(admin);

        var (status, body) = await PostAsync(doctor, Bundle.BundleType.Batch,
            Get($"Patient/{patient}"),
            (Bundle.HTTPVerb.DELETE, $"Patient/{patient}", null, null),
            Get($"AuditEvent/{audit}"),
            Get($"Patient/{unknown}"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["200", "403", "403", "404"], ((Bundle)body).Entry.Select(Status));
        Assert.Equal(before + 1 + 1 + 4, await CountAsync(admin));

        var records = await BeforeTheCountAsync(admin, 5);
        Assert.Equal(
            [
                ("batch", "HTTP 200", null),
                ("read", "HTTP 200", $"Patient/{patient}"),
                ("delete", "HTTP 403", $"Patient/{patient}"),
                ("read", "HTTP 403", $"AuditEvent/{audit}"),
                ("read", "HTTP 404", $"Patient/{unknown}"),
            ],
            records.Select(Describe));
        Assert.All(records, a => Assert.Equal(("Practitioner/dr-wang", "doctor"), (a.Agent[0].Who.Reference, a.Agent[0].AltId)));
        Assert.Equal(
            [("create", "HTTP 201", $"Patient/{patient}/_history/1"), ("read", "HTTP 200", $"Patient/{patient}"), ("delete", "HTTP 403", $"Patient/{patient}")],
            await FindAsync(admin, $"patient={patient}"));
        Assert.Equal([("read", "HTTP 403", $"AuditEvent/{audit}")], await FindAsync(admin, $"entity=AuditEvent/{audit}&outcome=4"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_failed_transaction_leaves_each_entry_as_an_attempt_with_the_transactions_status_and_no_created_id()
    {
        using var admin = node.CreateClient();
        var patient = await admin.CreateAsync(new Patient { Name = [new HumanName { Family = Family() }] });
        var before = await CountAsync(admin);

        var (status, body) = await PostAsync(admin, Bundle.BundleType.Transaction,
            (Bundle.HTTPVerb.POST, "Patient", new Patient { Name = [new HumanName { Family = Family() }] }, null),
            (Bundle.HTTPVerb.PUT, $"Patient/{patient.Id}", patient, "W/\"9\""),
            Get($"Patient/{patient.Id}"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, status);
        Assert.IsType<OperationOutcome>(body);
        Assert.Equal(before + 1 + 1 + 3, await CountAsync(admin));
        Assert.Equal(
            [
                ("transaction", "HTTP 412", null),
                ("create", "HTTP 412", null),
                ("update", "HTTP 412", $"Patient/{patient.Id}"),
                ("read", "HTTP 412", $"Patient/{patient.Id}"),
            ],
            (await BeforeTheCountAsync(admin, 4)).Select(Describe));
    }
}

public sealed class SqliteAuditedBundleEntryTests(SqliteAuditNode node) : AuditedBundleEntryTests(node.Factory), IClassFixture<SqliteAuditNode>;

public sealed class PostgresAuditedBundleEntryTests(PostgresAuditNode node) : AuditedBundleEntryTests(node.Factory), IClassFixture<PostgresAuditNode>;
