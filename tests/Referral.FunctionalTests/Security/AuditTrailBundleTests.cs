using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// The audit trail inside batch and transaction Bundles: each GET entry is answered as the same request outside a
/// Bundle (the record, searchset or history for admins; the same 403 for everyone else, as that entry's response), and
/// AuditEvents cannot be written through a Bundle any more than outside one.
/// </summary>
public abstract class AuditTrailBundleTests(NodeFactory node)
{
    private async Task<HttpClient> DoctorAsync() => node.CreateClient(await TokenFlows.UserTokenAsync(node, "doctor"));

    /// <summary>A doctor creates a patient and reads it: two AuditEvents about the patient, their ids ascending.</summary>
    private async Task<(string Patient, List<string> AuditEvents)> PatientReadByDoctorAsync(HttpClient doctor)
    {
        var patient = await doctor.CreateAsync(new Patient { Name = [new HumanName { Family = "Bundled" + Guid.NewGuid().ToString("N")[..8] }] });
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}")).Dispose();
        using var admin = node.CreateClient();
        var trail = (await admin.SearchAsync($"AuditEvent?patient={patient.Id}")).Matches<AuditEvent>()
            .Select(a => a.Id!).OrderBy(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, trail.Count);
        return (patient.Id!, trail);
    }

    private static async Task<Bundle> PostAsync(HttpClient client, Bundle.BundleType type, params (Bundle.HTTPVerb Method, string Url, Resource? Resource)[] entries)
    {
        var bundle = new Bundle
        {
            Type = type,
            Entry = [.. entries.Select(e => new Bundle.EntryComponent { Resource = e.Resource, Request = new() { Method = e.Method, Url = e.Url } })],
        };
        using var response = await client.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<Bundle>();
    }

    private static (Bundle.HTTPVerb, string, Resource?) Get(string url) => (Bundle.HTTPVerb.GET, url, null);

    private static string Status(Bundle.EntryComponent entry) => entry.Response.Status.Split(' ')[0];

    [Fact]
    public async System.Threading.Tasks.Task An_admins_batch_reads_AuditEvents_by_id_version_search_and_history()
    {
        using var doctor = await DoctorAsync();
        var (patient, trail) = await PatientReadByDoctorAsync(doctor);
        using var admin = node.CreateClient();

        var response = await PostAsync(admin, Bundle.BundleType.Batch,
            Get($"AuditEvent/{trail[0]}"),
            Get($"AuditEvent/{trail[1]}/_history/1"),
            Get($"AuditEvent?patient={patient}"),
            Get($"AuditEvent/{trail[0]}/_history"),
            Get("AuditEvent/_history?_count=2"),
            Get($"AuditEvent/{trail[0]}/_history/2"),
            Get($"Patient/{patient}"),
            Get($"Patient/{patient}/_history/1"),
            Get($"Patient/{patient}/_history"),
            Get($"Patient/{patient}/_history/one"));

        Assert.Equal(Bundle.BundleType.BatchResponse, response.Type);
        Assert.Equal(["200", "200", "200", "200", "200", "404", "200", "200", "200", "400"], response.Entry.Select(Status));
        var read = Assert.IsType<AuditEvent>(response.Entry[0].Resource);
        Assert.Equal((trail[0], AuditEvent.AuditEventAction.C), (read.Id, read.Action));
        Assert.Equal($"AuditEvent/{trail[0]}/_history/1", response.Entry[0].Response.Location);
        Assert.Equal((trail[1], AuditEvent.AuditEventAction.R), (response.Entry[1].Resource.Id, ((AuditEvent)response.Entry[1].Resource).Action));

        var search = Assert.IsType<Bundle>(response.Entry[2].Resource);
        Assert.Equal(Bundle.BundleType.Searchset, search.Type);
        Assert.Equal(trail.Order(), search.Matches<AuditEvent>().Select(a => a.Id).Order());
        Assert.Equal([trail[0]], ((Bundle)response.Entry[3].Resource).Entry.Select(e => e.Resource.Id));

        var history = (Bundle)response.Entry[4].Resource;
        Assert.Equal(Bundle.BundleType.History, history.Type);
        Assert.Equal(2, history.Entry.Count);
        Assert.All(history.Entry, e => Assert.IsType<AuditEvent>(e.Resource));
        Assert.Contains("/fhir/AuditEvent/_history?", history.Link.Single(l => l.Relation == "next").Url, StringComparison.Ordinal);
        Assert.IsType<Patient>(response.Entry[6].Resource);
        Assert.Equal(patient, response.Entry[7].Resource.Id);
        Assert.Equal(patient, ((Bundle)response.Entry[8].Resource).Entry.Single().Resource.Id);
        Assert.Equal("vid", ((OperationOutcome)response.Entry[9].Response.Outcome).Issue.Single().Expression.Single());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_doctors_batch_gets_the_same_403_for_AuditEvent_entries_while_its_other_entries_succeed()
    {
        using var doctor = await DoctorAsync();
        var (patient, trail) = await PatientReadByDoctorAsync(doctor);

        var response = await PostAsync(doctor, Bundle.BundleType.Batch,
            Get($"AuditEvent/{trail[0]}"),
            Get($"Patient/{patient}"),
            Get($"AuditEvent?patient={patient}"),
            Get($"AuditEvent/{trail[0]}/_history/1"),
            Get("AuditEvent/_history"),
            Get($"?_type=AuditEvent&patient={patient}"),
            Get($"Patient?_id={patient}&_has:AuditEvent:patient:subtype=read"),
            Get($"Patient?_id={patient}"));

        Assert.Equal(["403", "200", "403", "403", "403", "403", "403", "200"], response.Entry.Select(Status));
        Assert.Equal(patient, response.Entry[1].Resource.Id);
        Assert.Equal(patient, ((Bundle)response.Entry[7].Resource).Matches<Patient>().Single().Id);

        using var outside = await doctor.GetAsync($"/fhir/AuditEvent/{trail[0]}");
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        var expected = (await outside.ReadAsync<OperationOutcome>()).Issue.Single();
        var refused = response.Entry[0].Response.Outcome as OperationOutcome;
        Assert.Equal((expected.Code, expected.Diagnostics), (refused!.Issue.Single().Code, refused.Issue.Single().Diagnostics));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_transaction_that_posts_an_AuditEvent_is_refused_whole_and_writes_nothing()
    {
        var family = "Refused" + Guid.NewGuid().ToString("N")[..8];
        var forged = new AuditEvent
        {
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest"),
            Recorded = DateTimeOffset.UtcNow,
            Agent = [new AuditEvent.AgentComponent { Requestor = true, Who = new ResourceReference("Practitioner/nobody") }],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference("Device/forged") },
        };
        using var admin = node.CreateClient();
        var storedBefore = await AuditEventsInFhirStoreAsync();

        var transaction = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { Resource = new Patient { Name = [new HumanName { Family = family }] }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient" } },
                new() { Resource = forged, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "AuditEvent" } },
            ],
        };
        using (var refused = await admin.PostAsync("/fhir", FhirClient.Body(transaction)))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
            Assert.Equal("Bundle.entry[1].request.method", (await refused.ReadAsync<OperationOutcome>()).Issue.Single().Expression.Single());
        }

        Assert.Empty((await admin.SearchAsync($"Patient?family={family}")).Matches<Patient>());
        var someone = (await admin.SearchAsync("AuditEvent?_count=1")).Matches<AuditEvent>().Single();
        var batch = await PostAsync(admin, Bundle.BundleType.Batch,
            (Bundle.HTTPVerb.POST, "AuditEvent", forged),
            (Bundle.HTTPVerb.PUT, $"AuditEvent/{someone.Id}", someone),
            (Bundle.HTTPVerb.DELETE, $"AuditEvent?_id={someone.Id}", null),
            (Bundle.HTTPVerb.DELETE, $"AuditEvent/{someone.Id}", null),
            Get($"AuditEvent/{someone.Id}"));
        Assert.Equal(["405", "405", "405", "405", "200"], batch.Entry.Select(Status));
        Assert.Equal(storedBefore, await AuditEventsInFhirStoreAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task Batch_searches_and_history_include_the_trail_for_admins_only()
    {
        var since = Uri.EscapeDataString(DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        using var doctor = await DoctorAsync();
        var (patient, trail) = await PatientReadByDoctorAsync(doctor);
        using var admin = node.CreateClient();
        var withTrail = $"Patient?_id={patient}&_revinclude=AuditEvent:patient";
        var entries = new[]
        {
            Get(withTrail), Get($"_history?_since={since}&_count=500"), Get($"?_lastUpdated=ge{since}&_count=500"), Get($"?_type=AuditEvent&patient={patient}"),
        };

        var admins = await PostAsync(admin, Bundle.BundleType.Batch, entries);
        var included = ((Bundle)admins.Entry[0].Resource).Entry.Where(e => e.Search.Mode == Bundle.SearchEntryMode.Include).Select(e => e.Resource.Id);
        Assert.Equal(trail.Order(), included.Order());
        var historyIds = ((Bundle)admins.Entry[1].Resource).Entry.Where(e => e.Resource is AuditEvent).Select(e => e.Resource.Id).ToList();
        Assert.All(trail, id => Assert.Contains(id, historyIds));
        var searchedIds = ((Bundle)admins.Entry[2].Resource).Matches<AuditEvent>().Select(a => a.Id).ToList();
        Assert.All(trail, id => Assert.Contains(id, searchedIds));
        Assert.Equal(trail.Order(), ((Bundle)admins.Entry[3].Resource).Matches<AuditEvent>().Select(a => a.Id).Order());

        var doctors = await PostAsync(doctor, Bundle.BundleType.Batch, entries[..3]);
        Assert.IsType<Patient>(((Bundle)doctors.Entry[0].Resource).Entry.Single().Resource);
        var history = (Bundle)doctors.Entry[1].Resource;
        Assert.DoesNotContain(history.Entry, e => e.Resource is AuditEvent);
        Assert.Single(history.Entry, e => e.Resource is Patient && e.Resource.Id == patient);
        var searched = (Bundle)doctors.Entry[2].Resource;
        Assert.DoesNotContain(searched.Entry, e => e.Resource is AuditEvent);
        Assert.Single(searched.Entry, e => e.Resource is Patient && e.Resource.Id == patient);
    }

    /// <summary>AuditEvents stored as FHIR resources: none is ever written there by the API.</summary>
    private async Task<int> AuditEventsInFhirStoreAsync()
    {
        await using var scope = node.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Resources.CountAsync(r => r.ResourceType == "AuditEvent");
    }
}

public sealed class SqliteAuditTrailBundleTests(SqliteAuditNode node) : AuditTrailBundleTests(node.Factory), IClassFixture<SqliteAuditNode>;

public sealed class PostgresAuditTrailBundleTests(PostgresAuditNode node) : AuditTrailBundleTests(node.Factory), IClassFixture<PostgresAuditNode>;
