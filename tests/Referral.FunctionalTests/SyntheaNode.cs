using Hl7.Fhir.Model;
using Referral.Tests;

namespace Referral.FunctionalTests;

/// <summary>A node with all shared Synthea bundles imported once through transactions; the bundles stay at hand for expected values.</summary>
public abstract class SyntheaNode : IAsyncLifetimeFixture
{
    protected SyntheaNode(string provider) => Factory = new NodeFactory(provider);

    public NodeFactory Factory { get; }

    public IReadOnlyList<Bundle> Bundles { get; } = [.. SyntheaData.Files.Select(SyntheaData.Load)];

    /// <summary>The server id each bundle's Patient got.</summary>
    public List<string> PatientIds { get; } = [];

    public List<Bundle> Responses { get; } = [];

    public async System.Threading.Tasks.Task InitializeAsync()
    {
        var client = Factory.CreateClient();
        foreach (var file in SyntheaData.Files)
        {
            using var response = await client.PostAsync("/fhir", FhirClient.Body(await File.ReadAllTextAsync(file)));
            var bundle = await response.ReadAsync<Bundle>();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Import of {file} failed with {(int)response.StatusCode}");
            }

            Responses.Add(bundle);
            var patientEntry = bundle.Entry.First(e => e.Response.Location.StartsWith("Patient/", StringComparison.Ordinal));
            PatientIds.Add(patientEntry.Response.Location.Split('/')[1]);
        }
    }

    public System.Threading.Tasks.Task DisposeAsync()
    {
        Factory.Dispose();
        return System.Threading.Tasks.Task.CompletedTask;
    }

    public IEnumerable<T> All<T>()
        where T : Resource => Bundles.SelectMany(b => b.Entry).Select(e => e.Resource).OfType<T>();
}

/// <summary>xunit's async fixture lifetime, named for what fixtures here do.</summary>
public interface IAsyncLifetimeFixture : Xunit.IAsyncLifetime;

public sealed class SqliteSyntheaNode() : SyntheaNode("Sqlite");

public sealed class PostgresSyntheaNode() : SyntheaNode("PostgreSql");
