using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Referral.FunctionalTests.Workflow;

/// <summary>Steps of a referral between the two nodes, and the check that both ends agree on its whole history.</summary>
public static class ReferralSteps
{
    public const string Bser = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS";
    public const string AllianceStatus = "http://fhir.alliance.example/CodeSystem/referral-business-status";
    public const string StatusReasons = "http://fhir.alliance.example/CodeSystem/rejection-reason";
    public const string ParameterTypes = "http://fhir.alliance.example/CodeSystem/referral-task-parameter";
    public const string SourceRecord = "http://fhir.alliance.example/identifier/source-record";

    /// <summary>A referral submitted at the municipal hospital, filed at the cancer hospital and acknowledged back.</summary>
    public sealed record Delivered(string ReferralId, Patient Patient, FhirTask AtMunicipal, FhirTask AtCancer);

    /// <summary>Submits a referral of a new patient (with the records <c>records</c> makes for it, as supportingInfo) and waits until both ends show it received.</summary>
    public static async Task<Delivered> DeliverAsync(HttpClient municipal, HttpClient cancer, string residentId, Func<string, Task<string[]>>? records = null)
    {
        var patient = await municipal.CreateAsync(Referrals.Patient(residentId));
        var referralId = Guid.NewGuid().ToString("N");
        var supportingInfo = records is null ? [] : await records(patient.Id);
        using (var submitted = await municipal.PostAsync("/fhir", FhirClient.Body(Referrals.Submit(patient.Id, referralId, supportingInfo))))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        await TwoNodes.EventuallyAsync(async () => await FindTaskAsync(cancer, referralId) is not null, "the referral at the cancer hospital");
        var placed = await WaitForAsync(municipal, referralId, t => t.Status == FhirTask.TaskStatus.Received, "received at the municipal hospital");
        return new Delivered(referralId, patient, placed, await TaskAsync(cancer, referralId));
    }

    public static async Task<FhirTask?> FindTaskAsync(HttpClient client, string referralId) =>
        (await client.SearchAsync($"Task?identifier={Referrals.System}|{referralId}")).Matches<FhirTask>().SingleOrDefault();

    public static async Task<FhirTask> TaskAsync(HttpClient client, string referralId) =>
        await FindTaskAsync(client, referralId) ?? throw new InvalidOperationException($"No Task for referral {referralId}.");

    /// <summary>Polls the node's referral Task until <paramref name="condition"/> holds (the partner's change is delivered asynchronously).</summary>
    public static async Task<FhirTask> WaitForAsync(HttpClient client, string referralId, Func<FhirTask, bool> condition, string what)
    {
        FhirTask? task = null;
        await TwoNodes.EventuallyAsync(async () => (task = await FindTaskAsync(client, referralId)) is not null && condition(task), what);
        return task!;
    }

    /// <summary>PUTs the resource and returns the stored version; fails with the body when the node refuses.</summary>
    public static async Task<T> UpdateAsync<T>(HttpClient client, T resource)
        where T : Resource
    {
        using var response = await client.PutAsync($"/fhir/{resource.TypeName}/{resource.Id}", FhirClient.Body(resource));
        Assert.True(response.IsSuccessStatusCode, $"PUT {resource.TypeName}/{resource.Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsync<T>();
    }

    /// <summary>Posts a transaction Bundle; the response is the caller's to dispose.</summary>
    public static Task<HttpResponseMessage> TransactionAsync(HttpClient client, params Bundle.EntryComponent[] entries) =>
        client.PostAsync("/fhir", FhirClient.Body(new Bundle { Type = Bundle.BundleType.Transaction, Entry = [.. entries] }));

    public static Bundle.EntryComponent Put(Resource resource, string? ifMatch = null) => new()
    {
        FullUrl = $"urn:uuid:{Guid.NewGuid():D}",
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"{resource.TypeName}/{resource.Id}", IfMatch = ifMatch },
    };

    /// <summary>A conditional update: <paramref name="resource"/> PUT where <paramref name="criteria"/> (e.g. <c>Task?identifier=…</c>) finds it.</summary>
    public static Bundle.EntryComponent PutWhere(Resource resource, string criteria) => new()
    {
        FullUrl = $"urn:uuid:{Guid.NewGuid():D}",
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = criteria },
    };

    /// <summary>A transaction as a partner node sends it: carrying a package identifier (new for each <paramref name="label"/> use), so the inbox takes it as a message.</summary>
    public static Bundle PartnerMessage(string label, params Bundle.EntryComponent[] entries) => new()
    {
        Type = Bundle.BundleType.Transaction,
        Identifier = new Identifier(Referral.Workflow.ReferralCodes.PackageIdentifierSystem, $"{label}-{Guid.NewGuid():N}"),
        Entry = [.. entries],
    };

    public static Bundle.EntryComponent Post(Resource resource, string fullUrl) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
    };

    public static FhirTask.ParameterComponent Parameter(string type, DataType value) => new() { Type = new CodeableConcept(ParameterTypes, type), Value = value };

    /// <summary>(status, businessStatus code) of every version of the Task, oldest first.</summary>
    public static async Task<List<(string Status, string? Business)>> HistoryAsync(HttpClient client, FhirTask task)
    {
        var history = await (await client.GetAsync($"/fhir/Task/{task.Id}/_history?_count=100")).ReadAsync<Bundle>();
        return
        [
            .. history.Entry.Select(e => e.Resource).OfType<FhirTask>().OrderBy(t => int.Parse(t.Meta.VersionId, System.Globalization.CultureInfo.InvariantCulture))
                .Select(t => (Hl7.Fhir.Utility.EnumUtility.GetLiteral(t.Status!.Value)!, t.BusinessStatus?.Coding.FirstOrDefault()?.Code)),
        ];
    }

    /// <summary>
    /// Both ends show the same state, and every change is a version at each: the cancer hospital's versions (the first
    /// is the filed package, received) are the municipal hospital's after its first (requested), one for one.
    /// </summary>
    public static async Task<(FhirTask AtMunicipal, FhirTask AtCancer)> AssertAgreeAsync(HttpClient municipal, HttpClient cancer, string referralId)
    {
        var (m, c) = (await TaskAsync(municipal, referralId), await TaskAsync(cancer, referralId));
        Assert.Equal(m.Status, c.Status);
        Assert.Equal(m.BusinessStatus?.Coding.Single().Code, c.BusinessStatus?.Coding.Single().Code);
        Assert.Equal(m.StatusReason?.Text, c.StatusReason?.Text);
        var (placer, receiver) = (await HistoryAsync(municipal, m), await HistoryAsync(cancer, c));
        Assert.Equal("requested", placer[0].Status);
        Assert.Equal(placer.Skip(1), receiver);
        return (m, c);
    }

    /// <summary>A node's outbox, oldest first, read straight from its database.</summary>
    public static async System.Threading.Tasks.Task<List<Referral.Persistence.OutboxMessage>> OutboxAsync(NodeFactory node)
    {
        await using var scope = node.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Referral.Persistence.FhirDbContext>().Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }
}
