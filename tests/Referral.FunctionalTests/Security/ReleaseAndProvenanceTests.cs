using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests.Security;

/// <summary>Records leave for the partner only with the patient's consent, and what the partner writes says it did.</summary>
public abstract class ReleaseAndProvenanceTests(NodeFactory node)
{
    private readonly HttpClient _admin = node.CreateClient();

    [Fact]
    public async System.Threading.Tasks.Task Referring_a_patient_without_a_sharing_Consent_is_refused_with_422_and_writes_nothing()
    {
        var patient = await _admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Unconsented" }] });

        using var response = await _admin.PostAsync("/fhir/ServiceRequest", FhirClient.Body(ScopingWorld.Referral(patient, new Meta())));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = (await response.ReadAsync<OperationOutcome>()).Issue.Single();
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, issue.Code);
        Assert.Contains("no active Consent", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal(["ServiceRequest.performer"], issue.Expression);
        Assert.Equal(0, (await _admin.SearchAsync($"ServiceRequest?subject=Patient/{patient.Id}&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_inactive_Consent_or_one_for_another_organisation_does_not_count()
    {
        var patient = await _admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Withdrawn" }] });
        await _admin.CreateAsync(ScopingWorld.SharingConsent(patient, Consent.ConsentState.Inactive, new Meta()));
        var elsewhere = ScopingWorld.SharingConsent(patient, Consent.ConsentState.Active, new Meta());
        elsewhere.Provision.Actor[0].Reference = new ResourceReference("Organization/other-hospital");
        await _admin.CreateAsync(elsewhere);

        using var response = await _admin.PostAsync("/fhir/ServiceRequest", FhirClient.Body(ScopingWorld.Referral(patient, new Meta())));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Consent_and_referral_in_one_transaction_release_together()
    {
        var patient = await _admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Together" }] });
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new Bundle.EntryComponent { FullUrl = "urn:uuid:0d4f4f7e-8f0a-4b57-9d3c-3b1b2a7c1e01", Resource = ScopingWorld.SharingConsent(patient, Consent.ConsentState.Active, new Meta()), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Consent" } },
                new Bundle.EntryComponent { FullUrl = "urn:uuid:0d4f4f7e-8f0a-4b57-9d3c-3b1b2a7c1e02", Resource = ScopingWorld.Referral(patient, new Meta()), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "ServiceRequest" } },
            ],
        };

        using var response = await _admin.PostAsync("/fhir", FhirClient.Body(bundle));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await _admin.SearchAsync($"ServiceRequest?subject=Patient/{patient.Id}&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_request_performed_by_the_hospital_itself_needs_no_sharing_Consent()
    {
        var patient = await _admin.CreateAsync(new Patient { Name = [new HumanName { Family = "Internal" }] });
        var internalRequest = ScopingWorld.Referral(patient, new Meta());
        internalRequest.Performer = [new ResourceReference("Organization/municipal-hospital")];

        using var response = await _admin.PostAsync("/fhir/ServiceRequest", FhirClient.Body(internalRequest));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task What_the_partner_writes_carries_a_Provenance_naming_the_partner_and_its_client()
    {
        var partner = node.CreateClient(await node.TokenAsync("cancer-hospital-node", "cancer-hospital-demo-secret"));
        var world = await ScopingWorld.CreateAsync(_admin, partner);
        var observation = await partner.CreateAsync(world.NewObservation(world.B, focus: null));

        var provenance = (await _admin.SearchAsync($"Provenance?target=Observation/{observation.Id}")).Matches<Provenance>().Single();
        Assert.Equal($"Observation/{observation.Id}/_history/1", provenance.Target.Single().Reference);
        Assert.Equal("CREATE", provenance.Activity.Coding[0].Code);
        Assert.Equal(ScopingWorld.Partner, provenance.Agent.Single(a => a.Type.Coding[0].Code == "author").Who.Reference);
        var performer = provenance.Agent.Single(a => a.Type.Coding[0].Code == "performer");
        Assert.Equal("cancer-hospital-node", performer.Who.Identifier.Value);
        Assert.Equal(ScopingWorld.Partner, performer.OnBehalfOf.Reference);

        // The node's own writes need none.
        Assert.Equal(0, (await _admin.SearchAsync($"Provenance?target=Observation/{world.OB.Id}&_summary=count")).Total);
    }
}

public sealed class SqliteReleaseAndProvenanceTests(SqliteNode node) : ReleaseAndProvenanceTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresReleaseAndProvenanceTests(PostgresNode node) : ReleaseAndProvenanceTests(node.Factory), IClassFixture<PostgresNode>;
