using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>Every access to patient data, allowed or refused, leaves exactly one AuditEvent, stored before the response.</summary>
public sealed class AuditTests : IClassFixture<AuditTests.Node>
{
    public sealed class Node : IDisposable
    {
        public NodeFactory Factory { get; } = new("Sqlite", new Dictionary<string, string?> { ["Audit:Enabled"] = "true" });

        public void Dispose() => Factory.Dispose();
    }

    private readonly NodeFactory _node;

    public AuditTests(Node node) => _node = node.Factory;

    [Fact]
    public async System.Threading.Tasks.Task A_scripted_session_leaves_one_AuditEvent_per_access_with_who_what_and_outcome()
    {
        using var admin = _node.CreateClient();
        using var doctor = _node.CreateClient(await TokenFlows.UserTokenAsync(_node, "doctor"));
        using var anonymous = _node.CreateAnonymousClient();
        var before = await CountAsync(admin);

        // The session: nine accesses, two of them refused.
        var patient = await doctor.CreateAsync(new Patient { Name = [new HumanName { Family = "Audited" }] });
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}")).Dispose();
        (await doctor.GetAsync($"/fhir/Patient?family=Audited")).Dispose();
        patient.Gender = AdministrativeGender.Female;
        (await doctor.PutAsync($"/fhir/Patient/{patient.Id}", FhirClient.Body(patient))).Dispose();
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}/_history/1")).Dispose();
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}/_history")).Dispose();
        (await doctor.GetAsync($"/fhir/Patient/{patient.Id}/$everything")).Dispose();
        using (var refused = await doctor.DeleteAsync($"/fhir/Patient/{patient.Id}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var unauthenticated = await anonymous.GetAsync($"/fhir/Patient/{patient.Id}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        }

        // The count search before the session was itself audited once it was answered.
        Assert.Equal(before + 1 + 9, await CountAsync(admin));

        var trail = (await admin.SearchAsync($"AuditEvent?entity=Patient/{patient.Id}&_count=50")).Matches<AuditEvent>().ToList();
        var codes = trail.Select(a => a.Subtype[0].Code).Order().ToList();
        // Everything but the search names the patient (the vread by its version); the search is found by its query below.
        Assert.Equal(["create", "delete", "history-instance", "operation", "read", "read", "update", "vread"], codes);
        var denied = trail.Where(a => a.Outcome != AuditEvent.AuditEventOutcome.N0).ToList();
        Assert.Equal(2, denied.Count);
        Assert.Contains(denied, a => a.OutcomeDesc == "HTTP 401" && a.Agent[0].Who.Display == "unauthenticated caller");
        var read = trail.First(a => a.Subtype[0].Code == "read" && a.Outcome == AuditEvent.AuditEventOutcome.N0);
        Assert.Equal("Practitioner/dr-wang", read.Agent[0].Who.Reference);
        Assert.Equal("doctor", read.Agent[0].AltId);
        Assert.Contains(read.Agent, a => a.Who.Reference == "Organization/municipal-hospital");
        Assert.Equal(AuditEvent.AuditEventAction.R, read.Action);

        var search = (await admin.SearchAsync("AuditEvent?subtype=http://hl7.org/fhir/restful-interaction|search-type&_sort=-date&_count=5"))
            .Matches<AuditEvent>().First(a => a.Entity.Any(e => e.Description == "Patient"));
        Assert.Equal("family=Audited", System.Text.Encoding.UTF8.GetString(search.Entity.Single(e => e.Query is not null).Query));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_AuditEvent_of_a_read_is_stored_before_the_read_is_answered()
    {
        using var admin = _node.CreateClient();
        var patient = await admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Read" }] });

        (await admin.GetAsync($"/fhir/Patient/{patient.Id}")).Dispose();

        // No waiting: the read's response came after its AuditEvent was committed.
        var trail = await admin.SearchAsync($"AuditEvent?entity=Patient/{patient.Id}&subtype=read");
        Assert.Single(trail.Matches<AuditEvent>());
    }

    [Fact]
    public async System.Threading.Tasks.Task AuditEvents_cannot_be_changed_or_deleted_and_only_admins_search_them()
    {
        using var admin = _node.CreateClient();
        (await admin.GetAsync("/fhir/Patient")).Dispose();
        var audit = (await admin.SearchAsync("AuditEvent?_count=1")).Matches<AuditEvent>().Single();

        audit.OutcomeDesc = "rewritten";
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.PutAsync($"/fhir/AuditEvent/{audit.Id}", FhirClient.Body(audit))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.DeleteAsync($"/fhir/AuditEvent/{audit.Id}")).StatusCode);
        // Conditional and patch forms too: refused before any matching, not a 204 or 404 for finding nothing.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.DeleteAsync($"/fhir/AuditEvent?_id={audit.Id}")).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/fhir/AuditEvent/{audit.Id}")
        {
            Content = new StringContent("""[{"op":"replace","path":"/outcomeDesc","value":"rewritten"}]""", System.Text.Encoding.UTF8, "application/json-patch+json"),
        };
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await admin.SendAsync(patch)).StatusCode);
        Assert.Equal("1", (await admin.SearchAsync($"AuditEvent?_id={audit.Id}")).Matches<AuditEvent>().Single().Meta.VersionId);

        using var doctor = _node.CreateClient(await TokenFlows.UserTokenAsync(_node, "doctor"));
        Assert.Equal(HttpStatusCode.Forbidden, (await doctor.GetAsync("/fhir/AuditEvent")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await doctor.GetAsync($"/fhir/AuditEvent/{audit.Id}")).StatusCode);
    }

    private static async Task<int> CountAsync(HttpClient admin) => (await admin.SearchAsync("AuditEvent?_summary=count")).Total ?? -1;
}
