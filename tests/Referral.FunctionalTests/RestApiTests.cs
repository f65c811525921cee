using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>The REST interactions (read, vread, create, update, patch, delete, history, Prefer, formats), run on each provider.</summary>
public abstract class RestApiTests(NodeFactory factory)
{
    protected HttpClient Client { get; } = factory.CreateClient();

    private static Patient NewPatient(string family, string? identifier = null) => new()
    {
        Name = [new HumanName { Family = family, Given = ["Wei"] }],
        Gender = AdministrativeGender.Male,
        BirthDate = "1970-05-06",
        Identifier = identifier is null ? [] : [new Identifier("urn:test:mrn", identifier)],
    };

    [Fact]
    public async System.Threading.Tasks.Task Creating_a_patient_returns_201_with_location_etag_and_the_stored_resource()
    {
        using var response = await Client.PostAsync("/fhir/Patient", FhirClient.Body(NewPatient("Create")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadAsync<Patient>();
        Assert.False(string.IsNullOrEmpty(created.Id));
        Assert.Equal("1", created.Meta.VersionId);
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        Assert.EndsWith($"/fhir/Patient/{created.Id}/_history/1", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.NotNull(response.Content.Headers.LastModified);

        var read = await (await Client.GetAsync($"/fhir/Patient/{created.Id}")).ReadAsync<Patient>();
        Assert.Equal("Create", read.Name[0].Family);
    }

    [Fact]
    public async System.Threading.Tasks.Task Updating_keeps_every_version_readable_and_if_match_guards_against_stale_writes()
    {
        var patient = await Client.CreateAsync(NewPatient("Versioned"));
        patient.Name[0].Family = "Versioned2";

        using var update = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Patient/{patient.Id}") { Content = FhirClient.Body(patient) };
        update.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"", true));
        using var updated = await Client.SendAsync(update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("W/\"2\"", updated.Headers.ETag?.ToString());

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Patient/{patient.Id}") { Content = FhirClient.Body(patient) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"", true));
        using var refused = await Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.IsType<OperationOutcome>(await refused.ReadAsync<OperationOutcome>());

        var v1 = await (await Client.GetAsync($"/fhir/Patient/{patient.Id}/_history/1")).ReadAsync<Patient>();
        var v2 = await (await Client.GetAsync($"/fhir/Patient/{patient.Id}/_history/2")).ReadAsync<Patient>();
        Assert.Equal("Versioned", v1.Name[0].Family);
        Assert.Equal("Versioned2", v2.Name[0].Family);
    }

    /// <summary>On PostgreSQL reads under way together share round trips; each must still get its own answer.</summary>
    [Fact]
    public async System.Threading.Tasks.Task Reads_made_at_the_same_moment_each_get_their_own_resource_and_the_latest_version()
    {
        var patients = new List<Patient>();
        for (var i = 0; i < 30; i++)
        {
            patients.Add(await Client.CreateAsync(NewPatient($"Concurrent{i}")));
        }

        var updated = patients[3];
        updated.Name[0].Family = "Concurrent3-updated";
        using (var put = await Client.PutAsync($"/fhir/Patient/{updated.Id}", FhirClient.Body(updated)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var delete = await Client.DeleteAsync($"/fhir/Patient/{patients[7].Id}"))
        {
            Assert.True(delete.IsSuccessStatusCode);
        }

        // Each patient three times, interleaved, plus an id no resource has.
        var ids = Enumerable.Repeat(patients.Select(p => p.Id), 3).SelectMany(x => x).Append("never-created-" + Guid.NewGuid().ToString("N")[..8]).ToList();
        var responses = await System.Threading.Tasks.Task.WhenAll(ids.Select(id => Client.GetAsync($"/fhir/Patient/{id}")));

        for (var i = 0; i < ids.Count; i++)
        {
            using var response = responses[i];
            if (i == ids.Count - 1)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                continue;
            }

            var index = i % patients.Count;
            if (index == 7)
            {
                Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
                continue;
            }

            var read = await response.ReadAsync<Patient>();
            Assert.Equal(ids[i], read.Id);
            Assert.Equal(index == 3 ? "Concurrent3-updated" : $"Concurrent{index}", read.Name[0].Family);
            Assert.Equal(index == 3 ? "2" : "1", read.Meta.VersionId);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Put_with_a_new_client_id_creates_the_resource()
    {
        var id = "client-" + Guid.NewGuid().ToString("N")[..12];
        var patient = NewPatient("ClientId");
        patient.Id = id;

        using var response = await Client.PutAsync($"/fhir/Patient/{id}", FhirClient.Body(patient));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(id, (await response.ReadAsync<Patient>()).Id);
    }

    [Fact]
    public async System.Threading.Tasks.Task Deleting_leaves_a_tombstone_410_on_read_and_the_deletion_in_history()
    {
        var patient = await Client.CreateAsync(NewPatient("Deleted"));

        using var deleted = await Client.DeleteAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var read = await Client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
        using var missing = await Client.GetAsync($"/fhir/Patient/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var history = await Client.SearchAsync($"Patient/{patient.Id}/_history");
        Assert.Equal(Bundle.BundleType.History, history.Type);
        Assert.Equal(2, history.Total);
        Assert.Equal(Bundle.HTTPVerb.DELETE, history.Entry[0].Request.Method);
        Assert.Null(history.Entry[0].Resource);
        Assert.Equal(Bundle.HTTPVerb.POST, history.Entry[1].Request.Method);
    }

    [Fact]
    public async System.Threading.Tasks.Task Conditional_create_with_if_none_exist_returns_the_existing_resource()
    {
        var mrn = Guid.NewGuid().ToString("N");
        var first = await Client.CreateAsync(NewPatient("Conditional", mrn));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirClient.Body(NewPatient("Conditional", mrn)) };
        request.Headers.Add("If-None-Exist", $"identifier=urn:test:mrn|{mrn}");
        using var second = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Id, (await second.ReadAsync<Patient>()).Id);
        var search = await Client.SearchAsync($"Patient?identifier=urn:test:mrn|{mrn}");
        Assert.Equal(1, search.Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_transaction_resolves_its_identifier_conditions_exactly_as_single_requests_do()
    {
        // Conditions on one identifier are looked up together for the whole transaction; the answers must be the
        // search's: exact system and value, one match reused, none created, two refused with nothing written.
        var run = Guid.NewGuid().ToString("N");
        var existing = await Client.CreateAsync(NewPatient("Existing", $"{run}-a"));
        var updated = await Client.CreateAsync(NewPatient("Updated", $"{run}-b"));
        await Client.CreateAsync(NewPatient("Twin", $"{run}-twin"));
        await Client.CreateAsync(NewPatient("Twin", $"{run}-twin"));
        Bundle.EntryComponent Create(string family, string condition) =>
            new() { Resource = NewPatient(family, $"{run}-new"), Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = condition } };

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                Create("Existing", $"identifier=urn:test:mrn|{run}-a"),
                Create("Fresh", $"identifier=urn:test:mrn|{run}-new"),
                Create("OtherSystem", $"identifier=urn:other|{run}-a"),
                Create("OtherCase", $"identifier=urn:test:mrn|{run}-A"),
                new() { Resource = NewPatient("Renamed", $"{run}-b"), Request = new() { Method = Bundle.HTTPVerb.PUT, Url = $"Patient?identifier=urn:test:mrn|{run}-b" } },
            ],
        };
        using var response = await Client.PostAsync("/fhir", FhirClient.Body(bundle));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.ReadAsync<Bundle>();
        string Id(int entry) => result.Entry[entry].Response.Location.Split('/')[1];
        Assert.Equal(["200", "201", "201", "201", "200"], result.Entry.Select(e => e.Response.Status.Split(' ')[0]));
        Assert.Equal(existing.Id, Id(0));
        Assert.Equal(updated.Id, Id(4));
        Assert.Equal("Renamed", (await (await Client.GetAsync($"/fhir/Patient/{updated.Id}")).ReadAsync<Patient>()).Name[0].Family);
        Assert.Equal(3, new[] { Id(1), Id(2), Id(3) }.Distinct().Count());

        var ambiguous = new Bundle { Type = Bundle.BundleType.Transaction, Entry = [Create("Fresh2", $"identifier=urn:test:mrn|{run}-twin"), Create("Fresh3", $"identifier=urn:test:mrn|{run}-none")] };
        using var refused = await Client.PostAsync("/fhir", FhirClient.Body(ambiguous));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(0, (await Client.SearchAsync($"Patient?identifier=urn:test:mrn|{run}-none")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Conditional_update_and_delete_act_on_the_single_match()
    {
        var mrn = Guid.NewGuid().ToString("N");
        using var created = await Client.PutAsync($"/fhir/Patient?identifier=urn:test:mrn|{mrn}", FhirClient.Body(NewPatient("CondUpdate", mrn)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsync<Patient>()).Id;

        using var updated = await Client.PutAsync($"/fhir/Patient?identifier=urn:test:mrn|{mrn}", FhirClient.Body(NewPatient("CondUpdate2", mrn)));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var patient = await updated.ReadAsync<Patient>();
        Assert.Equal(id, patient.Id);
        Assert.Equal("2", patient.Meta.VersionId);

        using var deleted = await Client.DeleteAsync($"/fhir/Patient?identifier=urn:test:mrn|{mrn}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Client.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Json_patch_changes_the_resource_and_makes_a_new_version()
    {
        var patient = await Client.CreateAsync(NewPatient("Patchable"));
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/fhir/Patient/{patient.Id}")
        {
            Content = FhirClient.Body("""[{"op":"replace","path":"/name/0/family","value":"Patched"},{"op":"add","path":"/active","value":true}]""", "application/json-patch+json"),
        };

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.ReadAsync<Patient>();
        Assert.Equal("Patched", patched.Name[0].Family);
        Assert.True(patched.Active);
        Assert.Equal("2", patched.Meta.VersionId);
    }

    [Fact]
    public async System.Threading.Tasks.Task Prefer_return_minimal_sends_no_body_and_operation_outcome_sends_an_outcome()
    {
        using var minimal = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirClient.Body(NewPatient("Minimal")) };
        minimal.Headers.Add("Prefer", "return=minimal");
        using var minimalResponse = await Client.SendAsync(minimal);
        Assert.Equal(HttpStatusCode.Created, minimalResponse.StatusCode);
        Assert.Empty(await minimalResponse.Content.ReadAsByteArrayAsync());
        Assert.NotNull(minimalResponse.Headers.Location);

        using var outcome = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirClient.Body(NewPatient("Outcome")) };
        outcome.Headers.Add("Prefer", "return=OperationOutcome");
        using var outcomeResponse = await Client.SendAsync(outcome);
        Assert.IsType<OperationOutcome>(await outcomeResponse.ReadAsync<OperationOutcome>());
    }

    [Fact]
    public async System.Threading.Tasks.Task Xml_is_accepted_and_returned_on_request()
    {
        const string xml = """<Patient xmlns="http://hl7.org/fhir"><name><family value="XmlFamily"/></name><gender value="female"/></Patient>""";
        using var created = await Client.PostAsync("/fhir/Patient", FhirClient.Body(xml, "application/fhir+xml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = created.Headers.Location!.Segments[^3].TrimEnd('/');

        using var read = await Client.GetAsync($"/fhir/Patient/{id}?_format=xml");
        Assert.Equal("application/fhir+xml", read.Content.Headers.ContentType?.MediaType);
        var text = await read.Content.ReadAsStringAsync();
        Assert.Contains("<family value=\"XmlFamily\" />", text.Replace("\"/>", "\" />", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task Summary_and_elements_trim_the_returned_resource()
    {
        var patient = NewPatient("Trimmed");
        patient.Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">Trimmed</div>" };
        var created = await Client.CreateAsync(patient);

        var elements = await (await Client.GetAsync($"/fhir/Patient/{created.Id}?_elements=gender")).ReadAsync<Patient>();
        Assert.Equal(AdministrativeGender.Male, elements.Gender);
        Assert.Empty(elements.Name);

        var summary = await (await Client.GetAsync($"/fhir/Patient/{created.Id}?_summary=true")).ReadAsync<Patient>();
        Assert.Null(summary.Text);
        Assert.Equal("Trimmed", summary.Name[0].Family);
    }

    [Fact]
    public async System.Threading.Tasks.Task Concurrent_updates_of_one_resource_all_land_as_versions()
    {
        var patient = await Client.CreateAsync(NewPatient("Concurrent"));
        const int writers = 12;

        var responses = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
        {
            var copy = NewPatient($"Concurrent{i}");
            copy.Id = patient.Id;
            using var response = await Client.PutAsync($"/fhir/Patient/{patient.Id}", FhirClient.Body(copy));
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        var history = await Client.SearchAsync($"Patient/{patient.Id}/_history?_count=100");
        Assert.Equal(writers + 1, history.Total);
        var versions = history.Entry.Select(e => int.Parse(e.Resource.Meta.VersionId, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, writers + 1), versions);
    }

    [Fact]
    public async System.Threading.Tasks.Task Type_and_system_history_page_newest_first_and_honour_since()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var family = "Hist" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await Client.CreateAsync(new Practitioner { Name = [new HumanName { Family = family }] });
        }

        var page = await Client.SearchAsync($"Practitioner/_history?_count=2&_since={Uri.EscapeDataString(before.ToString("o"))}");
        Assert.Equal(2, page.Entry.Count);
        Assert.True(page.Total >= 3);
        Assert.Contains(page.Link, l => l.Relation == "next");
        Assert.True(page.Entry[0].Response.LastModified >= page.Entry[1].Response.LastModified);

        var system = await Client.SearchAsync("_history?_count=1");
        Assert.Single(system.Entry);
    }

    [Fact]
    public async System.Threading.Tasks.Task Chinese_names_are_stored_searchable_and_returned_unescaped()
    {
        var family = "欧阳" + Guid.NewGuid().ToString("N")[..6];
        var created = await Client.CreateAsync(NewPatient(family));

        var raw = await Client.GetStringAsync($"/fhir/Patient/{created.Id}");
        Assert.Contains(family, raw, StringComparison.Ordinal);
        var found = await Client.SearchAsync($"Patient?family={Uri.EscapeDataString("欧阳")}&_count=100");
        Assert.Contains(found.Matches<Patient>(), p => p.Id == created.Id);
        Assert.Contains(family, await Client.GetStringAsync($"/fhir/Patient?_id={created.Id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async System.Threading.Tasks.Task Meta_tags_and_profiles_are_searchable()
    {
        var tag = Guid.NewGuid().ToString("N");
        var patient = NewPatient("Tagged");
        patient.Meta = new Meta { Tag = [new Coding("urn:test:tags", tag)], Profile = ["http://example.org/StructureDefinition/test-patient"] };
        var created = await Client.CreateAsync(patient);

        var byTag = await Client.SearchAsync($"Patient?_tag=urn:test:tags|{tag}");
        Assert.Equal(created.Id, Assert.Single(byTag.Matches<Patient>()).Id);
        var byProfile = await Client.SearchAsync($"Patient?_tag={tag}&_profile=http://example.org/StructureDefinition/test-patient");
        Assert.Single(byProfile.Matches<Patient>());
    }

    [Fact]
    public async System.Threading.Tasks.Task The_capability_statement_lists_types_interactions_and_search_parameters()
    {
        var capabilities = await (await Client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();

        Assert.Equal(FHIRVersion.N4_0_1, capabilities.FhirVersion);
        var patient = capabilities.Rest[0].Resource.Single(r => r.Type == "Patient");
        Assert.Contains(patient.SearchParam, p => p.Name == "family" && p.Type == SearchParamType.String);
        Assert.Contains(patient.Interaction, i => i.Code == CapabilityStatement.TypeRestfulInteraction.Patch);
        Assert.Contains(patient.Operation, o => o.Name == "everything");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_capability_statement_lists_composites_and_the_modifiers_served()
    {
        var capabilities = await (await Client.GetAsync("/fhir/metadata")).ReadAsync<CapabilityStatement>();

        var observation = capabilities.Rest[0].Resource.Single(r => r.Type == "Observation");
        Assert.Contains(observation.SearchParam, p => p.Name == "component-code-value-quantity" && p.Type == SearchParamType.Composite);
        var code = observation.SearchParam.Single(p => p.Name == "code");
        Assert.Contains(":of-type", code.Documentation, StringComparison.Ordinal);
        Assert.Contains(":not-in", code.Documentation, StringComparison.Ordinal);
        Assert.Contains(capabilities.Rest[0].Interaction, i => i.Code == CapabilityStatement.SystemRestfulInteraction.SearchSystem);
    }

    [Fact]
    public async System.Threading.Tasks.Task Token_in_and_not_in_read_a_value_set_stored_on_the_node()
    {
        var tag = Guid.NewGuid().ToString("N");
        var url = $"http://example.org/ValueSet/{tag}";
        await Client.CreateAsync(new ValueSet
        {
            Url = url,
            Status = PublicationStatus.Active,
            Compose = new ValueSet.ComposeComponent { Include = [new() { System = "urn:test:codes", Concept = [new() { Code = "in" }] }] },
        });
        foreach (var code in new[] { "in", "out" })
        {
            await Client.CreateAsync(new Observation
            {
                Meta = new Meta { Tag = [new Coding("urn:test:tags", tag)] },
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("urn:test:codes", code),
            });
        }

        var inSet = await Client.SearchAsync($"Observation?_tag={tag}&code:in={url}");
        var notInSet = await Client.SearchAsync($"Observation?_tag={tag}&code:not-in={url}");

        Assert.Equal("in", Assert.Single(inSet.Matches<Observation>()).Code.Coding[0].Code);
        Assert.Equal("out", Assert.Single(notInSet.Matches<Observation>()).Code.Coding[0].Code);
    }
}

public sealed class SqliteRestApiTests(SqliteNode node) : RestApiTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresRestApiTests(PostgresNode node) : RestApiTests(node.Factory), IClassFixture<PostgresNode>;
