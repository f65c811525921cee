using System.Text.Json;
using Hl7.Fhir.Model;
using Referral.FunctionalTests.Security;

namespace Referral.FunctionalTests.Profiles;

/// <summary>The examples of fhir-profiles as the node's build copied them, tagged so a test counts only its own writes.</summary>
public static class ProfileExamples
{
    public const string AllianceBase = "http://fhir.alliance.example";
    public const string ReferralProfile = AllianceBase + "/StructureDefinition/alliance-referral-request";
    public const string TaskProfile = AllianceBase + "/StructureDefinition/alliance-referral-task";
    public const string TagSystem = "urn:test:profiles";

    public static readonly string[] Files = ["referral-request-up.json", "referral-task.json", "consultation-request.json", "back-referral-summary.json"];

    public static T Load<T>(string file, string tag)
        where T : Resource
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fhir-profiles", "examples", file);
        var resource = JsonSerializer.Deserialize<T>(File.ReadAllText(path), FhirClient.Json)!;
        resource.Meta.Tag.Add(new Coding(TagSystem, tag));
        if (resource is Hl7.Fhir.Model.Task task)
        {
            // The example is a rejected referral: with its referral identifier the workflow would (rightly) refuse to
            // create it in that state and try to send it to the partner. These tests check the profile alone.
            task.Identifier.RemoveAll(i => i.System == AllianceBase + "/identifier/referral");
        }

        return resource;
    }

    public static ServiceRequest NewReferral(string tag) => Load<ServiceRequest>("referral-request-up.json", tag);

    public static Hl7.Fhir.Model.Task NewReferralTask(string tag) => Load<Hl7.Fhir.Model.Task>("referral-task.json", tag);

    public static string NewTag() => Guid.NewGuid().ToString("N");

    /// <summary>The examples refer to Patient/example-patient, referred to the cancer hospital: the patient and their sharing consent.</summary>
    public static async System.Threading.Tasks.Task ConsentAsync(HttpClient client)
    {
        var patient = new Patient { Id = "example-patient", Name = [new HumanName { Family = "Example", Given = ["Wei"] }] };
        using (var put = await client.PutAsync("/fhir/Patient/example-patient", FhirClient.Body(patient)))
        {
            put.EnsureSuccessStatusCode();
        }

        var consent = ScopingWorld.SharingConsent(new Patient { Id = "example-patient" }, Consent.ConsentState.Active, new Meta());
        await client.CreateAsync(consent);
    }

    public static async Task<int> CountAsync(HttpClient client, string type, string tag) =>
        (await client.SearchAsync($"{type}?_tag={TagSystem}|{tag}&_summary=count")).Total ?? -1;
}
