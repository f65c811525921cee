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
