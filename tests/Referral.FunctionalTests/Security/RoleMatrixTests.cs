using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>
/// The role × interaction matrix of the README, one row per role and resource group, checked through the API: an
/// allowed interaction succeeds, a refused one is a 403 OperationOutcome, and AuditEvents can never be changed (405).
/// </summary>
public sealed class RoleMatrixTests : IClassFixture<RoleMatrixTests.Node>
{
    /// <summary>A node with audit on, so there are AuditEvents to read.</summary>
    public sealed class Node : IDisposable
    {
        public NodeFactory Factory { get; } = new("Sqlite", new Dictionary<string, string?> { ["Audit:Enabled"] = "true" });

        private readonly Dictionary<string, string> _tokens = [];

        public async Task<HttpClient> ClientAsync(string role)
        {
            if (!_tokens.TryGetValue(role, out var token))
            {
                token = role == "partner-node"
                    ? await Factory.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret")
                    : await TokenFlows.UserTokenAsync(Factory, role);
                _tokens[role] = token;
            }

            return Factory.CreateClient(token);
        }

        public void Dispose() => Factory.Dispose();
    }

    // c r u d s per role for: clinical (Observation), workflow (Task), administrative (Organization), conformance (ValueSet), audit (AuditEvent).
    public static TheoryData<string, string, string> Matrix => new()
    {
        { "doctor", "Observation", "crus" }, { "doctor", "Task", "crus" }, { "doctor", "Organization", "rs" }, { "doctor", "ValueSet", "rs" }, { "doctor", "AuditEvent", "" },
        { "specialist", "Observation", "crus" }, { "specialist", "Task", "crus" }, { "specialist", "Organization", "rs" }, { "specialist", "ValueSet", "rs" }, { "specialist", "AuditEvent", "" },
        { "coordinator", "Observation", "rs" }, { "coordinator", "Task", "crus" }, { "coordinator", "Organization", "rs" }, { "coordinator", "ValueSet", "rs" }, { "coordinator", "AuditEvent", "" },
        { "coordinator", "Patient", "crus" }, { "doctor", "Patient", "crus" },
        { "admin", "Observation", "cruds" }, { "admin", "Task", "cruds" }, { "admin", "Organization", "cruds" }, { "admin", "ValueSet", "cruds" }, { "admin", "AuditEvent", "rs" },
        { "partner-node", "Observation", "crus" }, { "partner-node", "Task", "crus" }, { "partner-node", "Organization", "crus" }, { "partner-node", "ValueSet", "rs" }, { "partner-node", "AuditEvent", "" },
    };

    private readonly Node _node;

    public RoleMatrixTests(Node node) => _node = node;

    [Theory]
    [MemberData(nameof(Matrix))]
    public async System.Threading.Tasks.Task Each_role_may_do_exactly_what_the_matrix_says(string role, string type, string allowed)
    {
        using var admin = _node.Factory.CreateClient();
        using var client = await _node.ClientAsync(role);
        var subject = await SharedPatientAsync(admin);

        var existing = type == "AuditEvent" ? await AnyAuditEventIdAsync(admin) : (await admin.CreateAsync(Sample(type, subject))).Id;

        await ExpectAsync(allowed.Contains('c', StringComparison.Ordinal) ? HttpStatusCode.Created : Refusal(type), client.PostAsync($"/fhir/{type}", FhirClient.Body(Sample(type, subject))));
        await ExpectAsync(allowed.Contains('r', StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.Forbidden, client.GetAsync($"/fhir/{type}/{existing}"));
        var update = Sample(type, subject);
        update.Id = existing;
        if (type != "AuditEvent")
        {
            await ExpectAsync(allowed.Contains('u', StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.Forbidden, client.PutAsync($"/fhir/{type}/{existing}", FhirClient.Body(update)));
        }
        else
        {
            await ExpectAsync(HttpStatusCode.MethodNotAllowed, client.PutAsync($"/fhir/{type}/{existing}", FhirClient.Body(update)));
        }

        await ExpectAsync(allowed.Contains('s', StringComparison.Ordinal) ? HttpStatusCode.OK : HttpStatusCode.Forbidden, client.GetAsync($"/fhir/{type}?_count=1"));
        // A conditional delete is refused before matching: finding nothing is no way round a missing permission.
        await ExpectAsync(allowed.Contains('d', StringComparison.Ordinal) ? HttpStatusCode.NoContent : Refusal(type), client.DeleteAsync($"/fhir/{type}?_id=no-such-id"));
        await ExpectAsync(allowed.Contains('d', StringComparison.Ordinal) ? HttpStatusCode.NoContent : Refusal(type), client.DeleteAsync($"/fhir/{type}/{existing}"));
    }

    /// <summary>AuditEvents are immutable for every role: 405, not 403, since no permission would make it possible.</summary>
    private static HttpStatusCode Refusal(string type) => type == "AuditEvent" ? HttpStatusCode.MethodNotAllowed : HttpStatusCode.Forbidden;

    private static async System.Threading.Tasks.Task ExpectAsync(HttpStatusCode expected, Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage.Method} {response.RequestMessage.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        if ((int)expected >= 400)
        {
            Assert.Contains("OperationOutcome", body, StringComparison.Ordinal);
        }
    }

    private Patient? _patient;

    /// <summary>A patient referred to the cancer hospital, so the partner node's rows are about access rights, not visibility.</summary>
    private async Task<Patient> SharedPatientAsync(HttpClient admin)
    {
        if (_patient is null)
        {
            _patient = await admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Matrix" }] });
            await admin.CreateAsync(ScopingWorld.SharingConsent(_patient, Consent.ConsentState.Active, new Meta()));
            await admin.CreateAsync(ScopingWorld.Referral(_patient, new Meta()));
        }

        return _patient;
    }

    private static async Task<string> AnyAuditEventIdAsync(HttpClient admin) =>
        (await admin.SearchAsync("AuditEvent?_count=1")).Matches<AuditEvent>().First().Id!;

    private static Resource Sample(string type, Patient subject) => type switch
    {
        "Observation" => new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8480-6"), Subject = new ResourceReference($"Patient/{subject.Id}") },
        "Task" => new Hl7.Fhir.Model.Task { Status = Hl7.Fhir.Model.Task.TaskStatus.Requested, Intent = Hl7.Fhir.Model.Task.TaskIntent.Order, For = new ResourceReference($"Patient/{subject.Id}") },
        "Organization" => new Organization { Name = "Matrix clinic" },
        "ValueSet" => new ValueSet { Status = PublicationStatus.Draft, Url = $"urn:test:vs:{Guid.NewGuid():N}" },
        "Patient" => new Patient { Name = [new HumanName { Family = "Registered" }] },
        "AuditEvent" => new AuditEvent
        {
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest"),
            Recorded = DateTimeOffset.UtcNow,
            Agent = [new AuditEvent.AgentComponent { Requestor = true, Who = new ResourceReference { Display = "forger" } }],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "forger" } },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
