using System.Net;
using Hl7.Fhir.Model;
using Xunit;
using static Referral.FunctionalTests.Profiles.ProfileExamples;

namespace Referral.FunctionalTests.Profiles;

/// <summary>Where the node finds its profiles, and that a broken profiles folder stops the start (provider-independent, so SQLite only).</summary>
public sealed class ProfilesStartupTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "referral-profiles-" + Guid.NewGuid().ToString("N"));

    public ProfilesStartupTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_broken_conformance_file_stops_the_start_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "broken-profile.json"), "{ \"resourceType\": \"StructureDefinition\", \"url\": ");
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Fhir:ProfilesDirectory"] = _folder });

        var error = Record.Exception(() => node.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("broken-profile.json", Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_profiles_folder_that_does_not_exist_stops_the_start()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Fhir:ProfilesDirectory"] = Path.Combine(_folder, "missing") });

        var error = Record.Exception(() => node.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Fhir:ProfilesDirectory", Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_explicit_folder_wins_over_the_copy_next_to_the_node()
    {
        // An empty folder: the alliance profiles are unknown here, so a claim of one is not checked.
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?> { ["Fhir:ProfilesDirectory"] = _folder });
        using var client = node.CreateClient();
        await ConsentAsync(client);
        var referral = NewReferral(NewTag());
        referral.Performer.Clear();

        using var response = await client.PostAsync("/fhir/ServiceRequest", FhirClient.Body(referral));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var statement = await (await client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();
        Assert.Empty(statement.Rest[0].Resource.Single(r => r.Type == "ServiceRequest").SupportedProfile);
    }

    private static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        return string.Join(" | ", messages);
    }
}
