using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Xunit;
using TaskStatus = Hl7.Fhir.Model.Task.TaskStatus;

namespace Referral.FunctionalTests.Workflow;

/// <summary><c>Alliance:ServiceLevels</c>: the receiver's configured answer times set the deadlines; a level it could not track stops the node at start, naming the setting.</summary>
public sealed class ServiceLevelConfigurationTests
{
    [Fact]
    public async System.Threading.Tasks.Task The_receivers_configured_levels_set_the_deadlines_of_the_referrals_it_files()
    {
        using var nodes = new TwoNodes(cancerSettings: new Dictionary<string, string?>
        {
            ["Alliance:ServiceLevels:Routine"] = "2.00:00:00",
            ["Alliance:ServiceLevels:Urgent"] = "08:00:00",
        });
        nodes.StartCancerNode();
        using var doctor = nodes.MunicipalNode.CreateClient(await nodes.UserTokenAsync(nodes.MunicipalNode, "doctor"));
        using var cancer = nodes.CancerNode.CreateClient();

        var routine = await ServiceLevelTests.SubmitAsync(doctor, "110101196103142001", RequestPriority.Routine);
        var urgent = await ServiceLevelTests.SubmitAsync(doctor, "110101196103142002", RequestPriority.Urgent);
        var stat = await ServiceLevelTests.SubmitAsync(doctor, "110101196103142003", RequestPriority.Stat);

        var (routineReceived, routineDue) = ServiceLevelTests.Deadline(await ReferralSteps.WaitForAsync(cancer, routine, t => t.Status == TaskStatus.Received, "routine filed"));
        var (urgentReceived, urgentDue) = ServiceLevelTests.Deadline(await ReferralSteps.WaitForAsync(cancer, urgent, t => t.Status == TaskStatus.Received, "urgent filed"));
        var (statReceived, statDue) = ServiceLevelTests.Deadline(await ReferralSteps.WaitForAsync(cancer, stat, t => t.Status == TaskStatus.Received, "stat filed"));
        Assert.Equal(TimeSpan.FromDays(2), routineDue - routineReceived);
        Assert.Equal(TimeSpan.FromHours(8), urgentDue - urgentReceived);
        // Not configured: the default.
        Assert.Equal(TimeSpan.FromHours(1), statDue - statReceived);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_capability_statement_lists_the_due_search_parameter_of_Task()
    {
        using var node = new NodeFactory("Sqlite");
        using var client = node.CreateClient();

        var capabilities = await (await client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();

        var due = capabilities.Rest[0].Resource.Single(r => r.Type == "Task").SearchParam.Single(p => p.Name == "due");
        Assert.Equal((SearchParamType.Date, "http://fhir.alliance.example/SearchParameter/task-due"), (due.Type!.Value, due.Definition));
    }

    [Fact]
    public void A_level_out_of_range_or_longer_than_a_less_urgent_one_stops_the_node_at_start()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Alliance:ServiceLevels:Urgent"] = "00:00:00",
            ["Alliance:ServiceLevels:Stat"] = "06:00:00",
        });

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(Assert.ThrowsAny<Exception>(() => node.Server)));
        Assert.Contains(validation.Failures, f => f.StartsWith("Alliance:ServiceLevels:Urgent must be between 00:05:00 and 30.00:00:00", StringComparison.Ordinal));
        Assert.Contains(validation.Failures, f => f.StartsWith("Alliance:ServiceLevels:Stat (06:00:00) must not be longer than Alliance:ServiceLevels:Asap", StringComparison.Ordinal));
        Assert.DoesNotContain(validation.Failures, f => f.Contains("Routine", StringComparison.Ordinal));
    }

    [Fact]
    public void A_level_that_is_not_a_time_span_stops_the_node_at_start_naming_the_setting()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Alliance:ServiceLevels:Routine"] = "one working day" });

        var error = Unwrap(Assert.ThrowsAny<Exception>(() => node.Server));
        Assert.Contains("Alliance:ServiceLevels:Routine", error.Message, StringComparison.Ordinal);
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException || (e is InvalidOperationException && !e.Message.Contains("Alliance:", StringComparison.Ordinal)) ? e.InnerException is { } inner ? Unwrap(inner) : e : e;
}
