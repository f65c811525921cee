using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Profiles.ProfileExamples;

namespace Referral.FunctionalTests.Profiles;

/// <summary>Writes that claim an alliance profile are validated before they are stored; a failure is a 422 naming the element and writes nothing.</summary>
public abstract class ProfileEnforcementTests(NodeFactory factory) : IAsyncLifetime
{
    private readonly string _tag = NewTag();

    protected HttpClient Client { get; } = factory.CreateClient();

    public System.Threading.Tasks.Task InitializeAsync() => ConsentAsync(Client);

    public System.Threading.Tasks.Task DisposeAsync() => System.Threading.Tasks.Task.CompletedTask;

    public static TheoryData<string> ExampleFiles => [.. Files];

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async System.Threading.Tasks.Task Writing_each_example_succeeds(string file)
    {
        var example = Load<Resource>(file, _tag);

        using var created = await Client.PostAsync($"/fhir/{example.TypeName}", FhirClient.Body(example));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        example.Id = $"{Path.GetFileNameWithoutExtension(file)}-{_tag[..8]}";
        using var put = await Client.PutAsync($"/fhir/{example.TypeName}/{example.Id}", FhirClient.Body(example));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_referral_without_performer_is_refused_naming_the_performer()
    {
        var referral = NewReferral(_tag);
        referral.Performer.Clear();

        await AssertRefusedAsync(await Client.PostAsync("/fhir/ServiceRequest", FhirClient.Body(referral)), OperationOutcome.IssueType.Required, "ServiceRequest.performer");
        Assert.Equal(0, await CountAsync(Client, "ServiceRequest", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_referral_with_the_wrong_intent_is_refused()
    {
        var referral = NewReferral(_tag);
        referral.Intent = RequestIntent.Proposal;

        await AssertRefusedAsync(await Client.PostAsync("/fhir/ServiceRequest", FhirClient.Body(referral)), OperationOutcome.IssueType.Value, "ServiceRequest.intent");
        Assert.Equal(0, await CountAsync(Client, "ServiceRequest", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_referral_with_an_unknown_reason_code_is_refused_and_every_issue_is_reported()
    {
        var referral = NewReferral(_tag);
        referral.ReasonCode[0].Coding[0].Code = "curiosity";
        referral.Priority = RequestPriority.Stat;

        var outcome = await AssertRefusedAsync(await Client.PostAsync("/fhir/ServiceRequest", FhirClient.Body(referral)), OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.reasonCode[0]");
        Assert.Contains(outcome.Issue, i => i.Expression.SequenceEqual(["ServiceRequest.priority"]));
        Assert.Equal(0, await CountAsync(Client, "ServiceRequest", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task An_update_that_breaks_the_profile_is_refused_and_the_stored_version_stays()
    {
        var task = NewReferralTask(_tag);
        task.Id = "task-" + _tag[..12];
        using (var first = await Client.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        task.StatusReason = null;
        await AssertRefusedAsync(await Client.PutAsync($"/fhir/Task/{task.Id}", FhirClient.Body(task)), OperationOutcome.IssueType.Invariant, "Task");

        var stored = await (await Client.GetAsync($"/fhir/Task/{task.Id}")).ReadAsync<Hl7.Fhir.Model.Task>();
        Assert.Equal("1", stored.Meta.VersionId);
        Assert.NotNull(stored.StatusReason);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_rejected_task_without_status_reason_is_refused()
    {
        var task = NewReferralTask(_tag);
        task.StatusReason = null;

        var outcome = await AssertRefusedAsync(await Client.PostAsync("/fhir/Task", FhirClient.Body(task)), OperationOutcome.IssueType.Invariant, "Task");
        Assert.StartsWith("tsk-rej", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(Client, "Task", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task An_invalid_code_in_a_transaction_entry_refuses_the_whole_transaction()
    {
        var patient = new Patient { Meta = new Meta { Tag = [new Coding(TagSystem, _tag)] }, Name = [new HumanName { Family = "Transaction" }] };
        var referral = NewReferral(_tag);
        referral.Subject = new ResourceReference("urn:uuid:6c1f4d0e-7a55-4a0e-9b59-0d7b8e0e4a01");
        referral.Extension[0].Value = new Code("sideways");
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { FullUrl = "urn:uuid:6c1f4d0e-7a55-4a0e-9b59-0d7b8e0e4a01", Resource = patient, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient" } },
                new() { Resource = referral, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "ServiceRequest" } },
            ],
        };

        var outcome = await AssertRefusedAsync(await Client.PostAsync("/fhir", FhirClient.Body(bundle)), OperationOutcome.IssueType.CodeInvalid, "ServiceRequest.extension[0].value");
        Assert.StartsWith("Entry 1 ", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(Client, "Patient", _tag));
        Assert.Equal(0, await CountAsync(Client, "ServiceRequest", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task In_a_batch_only_the_invalid_entry_fails()
    {
        var invalid = NewReferralTask(_tag);
        invalid.Owner = null;
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry =
            [
                new() { Resource = NewReferralTask(_tag), Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Task" } },
                new() { Resource = invalid, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Task" } },
            ],
        };

        using var response = await Client.PostAsync("/fhir", FhirClient.Body(bundle));
        var result = await response.ReadAsync<Bundle>();

        Assert.StartsWith("201", result.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.Equal("422", result.Entry[1].Response.Status);
        Assert.Equal(["Task.owner"], ((OperationOutcome)result.Entry[1].Response.Outcome).Issue[0].Expression);
        Assert.Equal(1, await CountAsync(Client, "Task", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_profile_the_node_does_not_know_is_the_clients_claim_and_is_not_checked()
    {
        var referral = NewReferral(_tag);
        referral.Meta.Profile = ["http://example.org/StructureDefinition/someone-elses-referral"];
        referral.Performer.Clear();

        using var response = await Client.PostAsync("/fhir/ServiceRequest", FhirClient.Body(referral));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Referrals_are_searchable_by_direction_and_reason()
    {
        await Client.CreateAsync(NewReferral(_tag));
        var down = NewReferral(_tag);
        down.Extension[0].Value = new Code("down");
        down.ReasonCode[0].Coding[0].Code = "follow-up";
        await Client.CreateAsync(down);

        var up = await Client.SearchAsync($"ServiceRequest?_tag={TagSystem}|{_tag}&direction=up");
        var followUp = await Client.SearchAsync($"ServiceRequest?_tag={TagSystem}|{_tag}&reason-code={AllianceBase}/CodeSystem/referral-reason|follow-up");

        Assert.Equal("up", ((Code)Assert.Single(up.Matches<ServiceRequest>()).Extension[0].Value).Value);
        Assert.Equal("down", ((Code)Assert.Single(followUp.Matches<ServiceRequest>()).Extension[0].Value).Value);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_capability_statement_lists_the_profiles_and_validate()
    {
        var statement = await (await Client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();
        var serviceRequest = statement.Rest[0].Resource.Single(r => r.Type == "ServiceRequest");

        Assert.Contains(ReferralProfile, serviceRequest.SupportedProfile);
        Assert.All(statement.Rest[0].Resource, r => Assert.Contains(r.Operation, o => o.Name == "validate"));
        Assert.Contains(serviceRequest.SearchParam, p => p.Name == "direction");
    }

    private static async Task<OperationOutcome> AssertRefusedAsync(HttpResponseMessage response, OperationOutcome.IssueType code, string expression)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var outcome = await OutcomeAssert.RefusedAsync(response);
            Assert.Contains(outcome.Issue, i => i.Code == code && i.Expression.SequenceEqual([expression]));
            return outcome;
        }
    }
}

public sealed class SqliteProfileEnforcementTests(SqliteNode node) : ProfileEnforcementTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresProfileEnforcementTests(PostgresNode node) : ProfileEnforcementTests(node.Factory), IClassFixture<PostgresNode>;
