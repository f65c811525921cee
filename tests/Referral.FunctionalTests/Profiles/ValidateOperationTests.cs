using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Profiles.ProfileExamples;

namespace Referral.FunctionalTests.Profiles;

/// <summary><c>$validate</c> at type and instance level: 200 with the issues found, 400 for a profile the node does not hold.</summary>
public abstract class ValidateOperationTests(NodeFactory factory) : IAsyncLifetime
{
    private readonly string _tag = NewTag();

    protected HttpClient Client { get; } = factory.CreateClient();

    public System.Threading.Tasks.Task InitializeAsync() => ConsentAsync(Client);

    public System.Threading.Tasks.Task DisposeAsync() => System.Threading.Tasks.Task.CompletedTask;

    [Fact]
    public async System.Threading.Tasks.Task A_valid_referral_has_no_issues()
    {
        var outcome = await OkAsync(await Client.PostAsync("/fhir/ServiceRequest/$validate", FhirClient.Body(NewReferral(_tag))));

        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueSeverity.Information, issue.Severity);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_invalid_referral_is_answered_with_its_issues_and_not_stored()
    {
        var referral = NewReferral(_tag);
        referral.Performer.Clear();

        var outcome = await OkAsync(await Client.PostAsync("/fhir/ServiceRequest/$validate", FhirClient.Body(referral)));

        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.SequenceEqual(["ServiceRequest.performer"]));
        Assert.Equal(0, await CountAsync(Client, "ServiceRequest", _tag));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_Parameters_body_names_the_profile_to_validate_against()
    {
        var task = NewReferralTask(_tag);
        task.Meta.Profile = [];
        task.StatusReason = null;
        var parameters = new Parameters();
        parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "resource", Resource = task });
        parameters.Add("profile", new FhirUri(TaskProfile));

        var outcome = await OkAsync(await Client.PostAsync("/fhir/Task/$validate", FhirClient.Body(parameters)));

        var issue = Assert.Single(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal(OperationOutcome.IssueType.Invariant, issue.Code);
        Assert.Equal(["Task"], issue.Expression);
    }

    [Fact]
    public async System.Threading.Tasks.Task Without_a_profile_only_the_base_structure_is_checked()
    {
        var referral = NewReferral(_tag);
        referral.Meta.Profile = ["http://example.org/StructureDefinition/unknown"];
        referral.Performer.Clear();

        var outcome = await OkAsync(await Client.PostAsync("/fhir/ServiceRequest/$validate", FhirClient.Body(referral)));

        Assert.All(outcome.Issue, i => Assert.Equal(OperationOutcome.IssueSeverity.Information, i.Severity));
        Assert.Contains(outcome.Issue, i => i.Diagnostics.Contains("not known to this node", StringComparison.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_body_that_is_not_valid_FHIR_is_answered_with_the_parse_errors()
    {
        using var response = await Client.PostAsync("/fhir/ServiceRequest/$validate",
            FhirClient.Body("{\"resourceType\":\"ServiceRequest\",\"status\":\"sleeping\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/1\"}}"));

        var outcome = await OkAsync(response);
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_unknown_profile_is_a_bad_request()
    {
        using var response = await Client.PostAsync("/fhir/ServiceRequest/$validate?profile=http://example.org/StructureDefinition/nope", FhirClient.Body(NewReferral(_tag)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["profile"], (await OutcomeAssert.RefusedAsync(response)).Issue[0].Expression);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_profile_of_another_type_is_a_bad_request()
    {
        using var response = await Client.PostAsync($"/fhir/ServiceRequest/$validate?profile={TaskProfile}", FhirClient.Body(NewReferral(_tag)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_stored_resource_is_validated_against_the_profile_in_the_query()
    {
        // Stored without claiming the profile, so the node took it as it was.
        var referral = NewReferral(_tag);
        referral.Meta.Profile = [];
        referral.Intent = RequestIntent.Plan;
        var stored = await Client.CreateAsync(referral);

        var outcome = await OkAsync(await Client.GetAsync($"/fhir/ServiceRequest/{stored.Id}/$validate?profile={ReferralProfile}"));
        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.Value && i.Expression.SequenceEqual(["ServiceRequest.intent"]));

        var plain = await OkAsync(await Client.GetAsync($"/fhir/ServiceRequest/{stored.Id}/$validate"));
        Assert.Equal(OperationOutcome.IssueSeverity.Information, Assert.Single(plain.Issue).Severity);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_instance_validate_takes_the_proposed_body()
    {
        var stored = await Client.CreateAsync(NewReferral(_tag));
        stored.ReasonCode[0].Coding[0].Code = "boredom";

        var outcome = await OkAsync(await Client.PostAsync($"/fhir/ServiceRequest/{stored.Id}/$validate", FhirClient.Body(stored)));

        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.CodeInvalid && i.Expression.SequenceEqual(["ServiceRequest.reasonCode[0]"]));
        var empty = await OkAsync(await Client.PostAsync($"/fhir/ServiceRequest/{stored.Id}/$validate", null));
        Assert.Equal(OperationOutcome.IssueSeverity.Information, Assert.Single(empty.Issue).Severity);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_instance_that_does_not_exist_is_not_found()
    {
        using var response = await Client.GetAsync("/fhir/ServiceRequest/no-such-referral/$validate");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<OperationOutcome> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
            return await OutcomeAssert.OutcomeAsync(response, text);
        }
    }
}

public sealed class SqliteValidateOperationTests(SqliteNode node) : ValidateOperationTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresValidateOperationTests(PostgresNode node) : ValidateOperationTests(node.Factory), IClassFixture<PostgresNode>;
