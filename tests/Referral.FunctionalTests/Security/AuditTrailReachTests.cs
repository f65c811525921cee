using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// The audit trail reached from the rest of the API: an admin finds accesses by a chain into the patient, sees them in
/// system history in time order and pages through it, pulls them in with another type's <c>_revinclude</c> and selects
/// patients by them with <c>_has</c>; for everyone else the trail stays out of sight.
/// </summary>
public abstract class AuditTrailReachTests(NodeFactory node)
{
    private const string Mrn = "http://fhir.alliance.example/identifier/test-mrn";

    /// <summary>A doctor creates a patient with a medical record number and reads it: two AuditEvents about the patient.</summary>
    private static async Task<(string Id, string Mrn, string Family)> PatientReadByDoctorAsync(HttpClient doctor)
    {
        var (mrn, family) = (Guid.NewGuid().ToString("N"), "Reach" + Guid.NewGuid().ToString("N")[..8]);
        var patient = await doctor.CreateAsync(new Patient { Identifier = [new Identifier(Mrn, mrn)], Name = [new HumanName { Family = family }] });
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}")).Dispose();
        return (patient.Id!, mrn, family);
    }

    private async Task<HttpClient> DoctorAsync() => node.CreateClient(await TokenFlows.UserTokenAsync(node, "doctor"));

    [Fact]
    public async System.Threading.Tasks.Task An_admin_finds_the_accesses_to_a_patient_by_a_chain_on_its_identifier_or_name()
    {
        using var doctor = await DoctorAsync();
        var (id, mrn, family) = await PatientReadByDoctorAsync(doctor);
        await PatientReadByDoctorAsync(doctor);
        using var admin = node.CreateClient();

        var byIdentifier = (await admin.SearchAsync($"AuditEvent?patient.identifier={Uri.EscapeDataString($"{Mrn}|{mrn}")}")).Matches<AuditEvent>().ToList();
        Assert.Equal(["C", "R"], byIdentifier.Select(a => a.Action.ToString()).Order());
        Assert.All(byIdentifier, a => Assert.Equal($"Patient/{id}", a.Entity.Single(e => e.What.Reference is not null).What.Reference.Split("/_history")[0]));

        Assert.Equal(2, (await admin.SearchAsync($"AuditEvent?entity:Patient.family={family}")).Matches<AuditEvent>().Count());
        Assert.Single((await admin.SearchAsync($"AuditEvent?patient.name={family}&action=R")).Matches<AuditEvent>());
        Assert.Empty((await admin.SearchAsync($"AuditEvent?patient.identifier={Mrn}|no-such-number")).Matches<AuditEvent>());

        // The same search across all types, limited to AuditEvent, answers the same and pages within AuditEvent.
        var system = await admin.SearchAsync($"?_type=AuditEvent&patient.identifier={Uri.EscapeDataString($"{Mrn}|{mrn}")}&_count=1");
        Assert.Equal(2, system.Total);
        Assert.Contains("_type=AuditEvent", system.Link.Single(l => l.Relation == "next").Url, StringComparison.Ordinal);
        Assert.Equal(byIdentifier.Min(a => long.Parse(a.Id, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture), system.Matches<AuditEvent>().Single().Id);

        using var strict = new HttpRequestMessage(HttpMethod.Get, "/fhir/AuditEvent?patient.no-such-parameter=x");
        strict.Headers.Add("Prefer", "handling=strict");
        using var refused = await admin.SendAsync(strict);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("patient.no-such-parameter", (await refused.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());

        using (var mixed = await admin.GetAsync("/fhir?_type=AuditEvent,Patient"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
            Assert.Equal("_type", (await mixed.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await doctor.GetAsync($"/fhir?_type=AuditEvent&patient.identifier={mrn}")).StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_admins_system_history_merges_AuditEvents_in_time_order_with_a_stable_total_and_pages()
    {
        var since = Uri.EscapeDataString(DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        using var doctor = await DoctorAsync();
        var (id, _, _) = await PatientReadByDoctorAsync(doctor);
        var (other, _, _) = await PatientReadByDoctorAsync(doctor);
        using var admin = node.CreateClient();

        var entries = new List<Bundle.EntryComponent>();
        var total = new List<int?>();
        var url = $"/fhir/_history?_since={since}&_count=3";
        for (var pages = 0; url is not null && pages < 50; pages++)
        {
            using var response = await admin.GetAsync(url);
            var page = await response.ReadAsync<Bundle>();
            entries.AddRange(page.Entry);
            total.Add(page.Total);
            url = page.Link.SingleOrDefault(l => l.Relation == "next")?.Url is { } next ? new Uri(next).PathAndQuery : null;
        }

        // Every page was cut from the history as it stood at the first: the admin's own history requests, audited as
        // they are answered, neither shift the pages nor change the total.
        Assert.Single(total.Distinct());
        Assert.Equal(total[0], entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.FullUrl).Distinct().Count());
        var times = entries.Select(e => e.Resource.Meta.LastUpdated!.Value).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var audited = entries.Select(e => e.Resource).OfType<AuditEvent>().ToList();
        Assert.Subset(entries.Where(e => e.Resource is Patient).Select(e => e.Resource.Id).ToHashSet(), new HashSet<string?> { id, other });
        var aboutPatient = (await admin.SearchAsync($"AuditEvent?patient={id}")).Matches<AuditEvent>().Select(a => a.Id).ToList();
        Assert.Equal(2, aboutPatient.Count);
        Assert.Subset(audited.Select(a => a.Id).ToHashSet(), aboutPatient.ToHashSet());
        Assert.All(entries.Where(e => e.Resource is AuditEvent), e => Assert.Equal(Bundle.HTTPVerb.POST, e.Request.Method));

        using var badBound = await admin.GetAsync("/fhir/_history?_until=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badBound.StatusCode);
        Assert.Equal("_until", (await badBound.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());
    }

    private static string Instant(DateTime at) => Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));

    [Fact]
    public async System.Threading.Tasks.Task An_admins_search_of_all_types_includes_the_AuditEvents_and_pages_across_both_stores()
    {
        var window = $"_lastUpdated=ge{Instant(DateTime.UtcNow.AddSeconds(-1))}";
        using var doctor = await DoctorAsync();
        var (id, _, _) = await PatientReadByDoctorAsync(doctor);
        window += $"&_lastUpdated=le{Instant(DateTime.UtcNow.AddSeconds(1))}";
        await System.Threading.Tasks.Task.Delay(1100);
        using var admin = node.CreateClient();

        // Every search below is itself audited, after the window closed: the window's contents no longer change.
        var all = await admin.SearchAsync($"?{window}&_count=500");
        Assert.Equal(all.Entry.Count, all.Total);
        var aboutPatient = (await admin.SearchAsync($"AuditEvent?patient={id}")).Matches<AuditEvent>().Select(a => a.Id).ToHashSet();
        Assert.Equal(2, aboutPatient.Count);
        Assert.Subset(all.Matches<AuditEvent>().Select(a => a.Id).ToHashSet(), aboutPatient);
        Assert.Contains(all.Matches<Patient>(), p => p.Id == id);

        // Unsorted, the store's matches come first, then the trail's in the order recorded; pages of one match walk it all.
        var firstAudit = all.Entry.FindIndex(e => e.Resource is AuditEvent);
        Assert.DoesNotContain(all.Entry.Skip(firstAudit), e => e.Resource is not AuditEvent);
        Assert.Equal(all.Total, (await admin.SearchAsync($"?{window}&_summary=count")).Total);
        var paged = new List<string?>();
        var url = $"/fhir?{window}&_count=1";
        for (var pages = 0; url is not null && pages <= all.Entry.Count; pages++)
        {
            using var response = await admin.GetAsync(url);
            var page = await response.ReadAsync<Bundle>();
            Assert.Equal(all.Total, page.Total);
            paged.AddRange(page.Entry.Select(e => e.FullUrl));
            url = page.Link.SingleOrDefault(l => l.Relation == "next")?.Url is { } next ? new Uri(next).PathAndQuery : null;
        }

        Assert.Null(url);
        Assert.Equal(all.Entry.Select(e => e.FullUrl), paged);

        // Sorted by time, the two stores interleave: the create's record is not earlier than the patient it created.
        var newestFirst = await admin.SearchAsync($"?{window}&_sort=-_lastUpdated&_count=2");
        var byTime = new List<Bundle.EntryComponent>(newestFirst.Entry);
        var more = await admin.SearchAsync($"?{window}&_sort=-_lastUpdated&_count=500&_offset=2");
        byTime.AddRange(more.Entry);
        Assert.Equal(all.Entry.Select(e => e.FullUrl).Order(), byTime.Select(e => e.FullUrl).Order());
        var times = byTime.Select(e => e.Resource.Meta.LastUpdated!.Value).ToList();
        Assert.Equal(times.OrderDescending(), times);
        var oldestFirst = (await admin.SearchAsync($"?{window}&_sort=_lastUpdated&_count=500")).Entry.Select(e => e.FullUrl).ToList();
        Assert.Equal(byTime.Select(e => e.FullUrl).Reverse(), oldestFirst);

        // A record answers _id; the trail holds no tags, so _tag finds none of its records.
        var record = aboutPatient.First();
        Assert.Equal([record], (await admin.SearchAsync($"?_id={record}")).Matches<AuditEvent>().Select(a => a.Id));
        Assert.Empty((await admin.SearchAsync($"?{window}&_tag=http://example.org/tags|any")).Entry);

        using var unsortable = await admin.GetAsync($"/fhir?{window}&_sort=_id");
        Assert.Equal(HttpStatusCode.BadRequest, unsortable.StatusCode);
        Assert.Equal("_sort", (await unsortable.ReadAsync<OperationOutcome>()).Issue[0].Expression.Single());

        // For anyone else a search of all types leaves the trail out.
        var doctors = await doctor.SearchAsync($"?{window}&_count=500");
        Assert.DoesNotContain(doctors.Entry, e => e.Resource is AuditEvent);
        Assert.Contains(doctors.Matches<Patient>(), p => p.Id == id);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_non_admin_sees_no_AuditEvent_in_system_history_nor_through_revinclude()
    {
        var since = Uri.EscapeDataString(DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        using var doctor = await DoctorAsync();
        var (id, _, _) = await PatientReadByDoctorAsync(doctor);

        using (var response = await doctor.GetAsync($"/fhir/_history?_since={since}&_count=500"))
        {
            var history = await response.ReadAsync<Bundle>();
            Assert.DoesNotContain(history.Entry, e => e.Resource is AuditEvent);
            Assert.Equal(history.Entry.Count, history.Total);
            Assert.Single(history.Entry, e => e.Resource is Patient && e.Resource.Id == id);
        }

        var withTrail = $"Patient?_id={id}&_revinclude=AuditEvent:patient";
        var doctors = await doctor.SearchAsync(withTrail);
        Assert.Single(doctors.Entry);
        Assert.IsType<Patient>(doctors.Entry[0].Resource);

        using var admin = node.CreateClient();
        var admins = await admin.SearchAsync(withTrail);
        Assert.Equal(id, admins.Matches<Patient>().Single().Id);
        var included = admins.Entry.Where(e => e.Search.Mode == Bundle.SearchEntryMode.Include).ToList();
        Assert.Equal(["C", "R"], included.Select(e => ((AuditEvent)e.Resource).Action.ToString()).Order());
        Assert.Equal(2, (await admin.SearchAsync($"Patient?_id={id}&_revinclude=AuditEvent:entity")).Entry.Count(e => e.Resource is AuditEvent));
    }

    [Fact]
    public async System.Threading.Tasks.Task Has_AuditEvent_selects_the_patients_with_such_accesses_for_an_admin_and_is_refused_to_others()
    {
        using var doctor = await DoctorAsync();
        var (read, _, _) = await PatientReadByDoctorAsync(doctor);
        var unread = (await doctor.CreateAsync(new Patient { Name = [new HumanName { Family = "Unread" }] })).Id;
        using var admin = node.CreateClient();

        var query = $"Patient?_id={read},{unread}&_has:AuditEvent:patient:subtype=read";
        Assert.Equal([read], (await admin.SearchAsync(query)).Matches<Patient>().Select(p => p.Id));
        Assert.Equal(2, (await admin.SearchAsync($"Patient?_id={read},{unread}&_has:AuditEvent:entity:action=C")).Matches<Patient>().Count());
        Assert.Empty((await admin.SearchAsync($"Patient?_id={read},{unread}&_has:AuditEvent:patient:action=D")).Matches<Patient>());

        using var refused = await doctor.GetAsync($"/fhir/{query}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_CapabilityStatement_says_what_the_audit_trail_serves()
    {
        using var anonymous = node.CreateAnonymousClient();
        using var response = await anonymous.GetAsync("/fhir/metadata");
        var auditEvent = (await response.ReadAsync<CapabilityStatement>()).Rest[0].Resource.Single(r => r.Type == "AuditEvent");
        Assert.DoesNotContain(auditEvent.Interaction, i => i.Code is CapabilityStatement.TypeRestfulInteraction.Create or CapabilityStatement.TypeRestfulInteraction.Update);
        Assert.Empty(auditEvent.SearchInclude);
        Assert.Contains("patient:Type.param", auditEvent.SearchParam.Single(p => p.Name == "patient").Documentation, StringComparison.Ordinal);
    }
}

public sealed class SqliteAuditTrailReachTests(SqliteAuditNode node) : AuditTrailReachTests(node.Factory), IClassFixture<SqliteAuditNode>;

public sealed class PostgresAuditTrailReachTests(PostgresAuditNode node) : AuditTrailReachTests(node.Factory), IClassFixture<PostgresAuditNode>;
