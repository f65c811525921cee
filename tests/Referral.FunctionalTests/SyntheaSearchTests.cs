using System.Net;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>
/// Transactions and searches over the imported Synthea data; every expected count is computed from the bundle files.
/// </summary>
public abstract class SyntheaSearchTests(SyntheaNode node)
{
    private readonly HttpClient _client = node.Factory.CreateClient();

    [Fact]
    public void Importing_each_bundle_creates_every_entry()
    {
        for (var i = 0; i < node.Bundles.Count; i++)
        {
            Assert.Equal(node.Bundles[i].Entry.Count, node.Responses[i].Entry.Count);
            Assert.All(node.Responses[i].Entry, e => Assert.StartsWith("201", e.Response.Status, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_resource_type_count_matches_the_files()
    {
        foreach (var group in node.Bundles.SelectMany(b => b.Entry).GroupBy(e => e.Resource.TypeName))
        {
            var result = await _client.SearchAsync($"{group.Key}?_summary=count");
            Assert.True(group.Count() == result.Total, $"{group.Key}: expected {group.Count()}, got {result.Total}");
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Token_search_on_observation_code_finds_what_the_files_hold()
    {
        var expected = node.All<Observation>().Count(o => o.Code.Coding.Any(c => c.System == "http://loinc.org" && c.Code == "8302-2"));

        var result = await _client.SearchAsync("Observation?code=http://loinc.org|8302-2&_summary=count");

        Assert.True(expected > 0);
        Assert.Equal(expected, result.Total);
        Assert.Equal(expected, (await _client.SearchAsync("Observation?code=8302-2&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Composite_search_matches_code_and_value_within_one_observation_or_component()
    {
        // Synthea values carry ~14 decimals, so "gt140" (above 140's precision range) means above 140.5.
        static bool Above(DataType? value, double limit) => value is Quantity { Value: { } v } && (double)v > limit;
        static bool IsLoinc(CodeableConcept code, string value) => code.Coding.Any(c => c.System == "http://loinc.org" && c.Code == value);
        int Components(string code, double limit) => node.All<Observation>().Count(o => o.Component.Any(c => IsLoinc(c.Code, code) && Above(c.Value, limit)));

        var tall = node.All<Observation>().Count(o => IsLoinc(o.Code, "8302-2") && Above(o.Value, 150.5));
        Assert.True(tall > 0);
        Assert.Equal(tall, (await _client.SearchAsync("Observation?code-value-quantity=http://loinc.org|8302-2$gt150&_summary=count")).Total);

        var systolic = Components("8480-6", 140.5);
        Assert.True(systolic > 0);
        Assert.Equal(systolic, (await _client.SearchAsync("Observation?component-code-value-quantity=http://loinc.org|8480-6$gt140&_summary=count")).Total);

        // Systolic values above 110 sit in the same panels as every diastolic code: matching across components would find them.
        var diastolic = Components("8462-4", 110.5);
        Assert.True(Components("8480-6", 110.5) > diastolic);
        Assert.Equal(diastolic, (await _client.SearchAsync("Observation?component-code-value-quantity=http://loinc.org|8462-4$gt110&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Identifier_of_type_finds_the_patient_by_the_type_and_value_of_one_identifier()
    {
        const string v2 = "http://terminology.hl7.org/CodeSystem/v2-0203";
        var mr = node.All<Patient>().SelectMany(p => p.Identifier).First(i => i.Type?.Coding.Any(c => c.System == v2 && c.Code == "MR") == true);
        var expected = node.All<Patient>().Count(p => p.Identifier.Any(i => i.Value == mr.Value && i.Type?.Coding.Any(c => c.System == v2 && c.Code == "MR") == true));

        Assert.Equal(expected, (await _client.SearchAsync($"Patient?identifier:of-type={v2}|MR|{mr.Value}&_summary=count")).Total);
        Assert.Equal(0, (await _client.SearchAsync($"Patient?identifier:of-type={v2}|DL|{mr.Value}&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task System_search_with_type_chains_like_a_type_search()
    {
        var typeLevel = await _client.SearchAsync("Observation?subject:Patient.gender=female&_summary=count");

        var systemLevel = await _client.SearchAsync("?_type=Observation&subject:Patient.gender=female&_summary=count");

        Assert.True(typeLevel.Total > 0);
        Assert.Equal(typeLevel.Total, systemLevel.Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Token_and_string_search_on_patients_match_the_files()
    {
        var females = node.All<Patient>().Count(p => p.Gender == AdministrativeGender.Female);
        Assert.Equal(females, (await _client.SearchAsync("Patient?gender=female&_summary=count")).Total);

        var first = node.All<Patient>().First();
        var family = first.Name[0].Family;
        var prefix = family[..3].ToLowerInvariant();
        var expected = node.All<Patient>().Count(p => p.Name.Any(n => n.Family.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
        var found = await _client.SearchAsync($"Patient?family={Uri.EscapeDataString(prefix)}");
        Assert.Equal(expected, found.Total);
        Assert.Contains(found.Matches<Patient>(), p => p.Name[0].Family == family);

        var exact = await _client.SearchAsync($"Patient?family:exact={Uri.EscapeDataString(family)}");
        Assert.All(exact.Matches<Patient>(), p => Assert.Equal(family, p.Name[0].Family));
    }

    [Fact]
    public async System.Threading.Tasks.Task References_inside_a_transaction_point_at_the_new_ids()
    {
        for (var i = 0; i < node.Bundles.Count; i++)
        {
            var expected = node.Bundles[i].Entry.Select(e => e.Resource).OfType<Observation>().Count();
            var result = await _client.SearchAsync($"Observation?subject=Patient/{node.PatientIds[i]}&_summary=count");
            Assert.Equal(expected, result.Total);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Chained_and_reverse_chained_searches_follow_references()
    {
        var femaleFiles = node.Bundles.Where(b => b.Entry.Select(e => e.Resource).OfType<Patient>().Single().Gender == AdministrativeGender.Female).ToList();
        var expectedObservations = femaleFiles.Sum(b => b.Entry.Select(e => e.Resource).OfType<Observation>().Count());
        Assert.Equal(expectedObservations, (await _client.SearchAsync("Observation?subject:Patient.gender=female&_summary=count")).Total);

        var colonCode = node.All<Condition>().First(c => c.Code.Coding.Any(x => x.Display?.Contains("colon", StringComparison.OrdinalIgnoreCase) == true)).Code.Coding[0];
        var expectedPatients = node.Bundles.Count(b => b.Entry.Select(e => e.Resource).OfType<Condition>().Any(c => c.Code.Coding.Any(x => x.Code == colonCode.Code)));
        var has = await _client.SearchAsync($"Patient?_has:Condition:subject:code={colonCode.System}|{colonCode.Code}&_summary=count");
        Assert.Equal(expectedPatients, has.Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Include_and_revinclude_add_the_referenced_and_referring_resources()
    {
        var patientId = node.PatientIds[0];
        var conditions = node.Bundles[0].Entry.Select(e => e.Resource).OfType<Condition>().Count();

        var rev = await _client.SearchAsync($"Patient?_id={patientId}&_revinclude=Condition:subject");
        Assert.Single(rev.Matches<Patient>());
        Assert.Equal(conditions, rev.Entry.Count(e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource is Condition));

        var include = await _client.SearchAsync($"Condition?subject=Patient/{patientId}&_include=Condition:subject");
        Assert.Equal(conditions, include.Matches<Condition>().Count());
        Assert.Single(include.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource is Patient p && p.Id == patientId);
    }

    [Fact]
    public async System.Threading.Tasks.Task Sorting_by_birthdate_orders_patients_as_the_files_do()
    {
        var expected = node.All<Patient>().OrderByDescending(p => p.BirthDate, StringComparer.Ordinal).Select(p => p.BirthDate).ToList();

        var result = await _client.SearchAsync("Patient?_sort=-birthdate&_count=50");

        Assert.Equal(expected, result.Matches<Patient>().Select(p => p.BirthDate).ToList());
    }

    [Fact]
    public async System.Threading.Tasks.Task Paging_through_a_search_returns_every_match_once()
    {
        var expected = node.All<Encounter>().Count();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var url = "Encounter?_count=37";
        while (true)
        {
            var page = await _client.SearchAsync(url);
            Assert.Equal(expected, page.Total);
            foreach (var encounter in page.Matches<Encounter>())
            {
                Assert.True(seen.Add(encounter.Id), $"{encounter.Id} came twice");
            }

            var next = page.Link.FirstOrDefault(l => l.Relation == "next")?.Url;
            if (next is null)
            {
                break;
            }

            url = next[(next.IndexOf("/fhir/", StringComparison.Ordinal) + "/fhir/".Length)..];
        }

        Assert.Equal(expected, seen.Count);

        var pastTheEnd = await _client.SearchAsync($"Encounter?_count=10&_offset={expected + 5}");
        Assert.Empty(pastTheEnd.Entry);
        Assert.Equal(expected, pastTheEnd.Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Search_pages_by_the_configured_default_and_maximum_page_size()
    {
        Assert.True(node.All<Observation>().Count() > 500);

        Assert.Equal(25, (await _client.SearchAsync("Observation")).Entry.Count);
        Assert.Equal(500, (await _client.SearchAsync("Observation?_count=5000")).Entry.Count);
    }

    [Fact]
    public async System.Threading.Tasks.Task Date_prefixes_select_by_range()
    {
        var cutoff = new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var expected = node.All<Patient>().Count(p => DateTimeOffset.Parse(p.BirthDate, System.Globalization.CultureInfo.InvariantCulture) < cutoff);

        Assert.Equal(expected, (await _client.SearchAsync("Patient?birthdate=lt1960-01-01&_summary=count")).Total);
        Assert.Equal(node.All<Patient>().Count() - expected, (await _client.SearchAsync("Patient?birthdate=ge1960&_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Unknown_parameters_are_reported_when_lenient_and_refused_when_strict()
    {
        var lenient = await _client.SearchAsync("Patient?nonsense=1&_count=1");
        Assert.Contains(lenient.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome && e.Resource is OperationOutcome);

        using var strict = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient?nonsense=1");
        strict.Headers.Add("Prefer", "handling=strict");
        using var refused = await _client.SendAsync(strict);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async System.Threading.Tasks.Task Batch_search_entries_follow_the_requests_handling_preference()
    {
        Bundle Batch() => new()
        {
            Type = Bundle.BundleType.Batch,
            Entry =
            [
                new() { Request = new() { Method = Bundle.HTTPVerb.GET, Url = "Patient?nonsense=1&_count=1" } },
                new() { Request = new() { Method = Bundle.HTTPVerb.GET, Url = $"Patient?_id={node.PatientIds[0]}" } },
            ],
        };

        using var lenientResponse = await _client.PostAsync("/fhir", FhirClient.Body(Batch()));
        var lenient = await lenientResponse.ReadAsync<Bundle>();
        Assert.Equal("200", lenient.Entry[0].Response.Status[..3]);
        Assert.Contains(((Bundle)lenient.Entry[0].Resource).Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome);

        using var strict = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = FhirClient.Body(Batch()) };
        strict.Headers.Add("Prefer", "handling=strict");
        using var strictResponse = await _client.SendAsync(strict);
        var refused = await strictResponse.ReadAsync<Bundle>();
        Assert.Equal("400", refused.Entry[0].Response.Status[..3]);
        var outcome = Assert.IsType<OperationOutcome>(refused.Entry[0].Response.Outcome);
        Assert.Contains(outcome.Issue, i => i.Diagnostics?.Contains("nonsense", StringComparison.Ordinal) == true || i.Expression.Any(x => x.Contains("nonsense", StringComparison.Ordinal)));
        // The other entry of the batch is still answered.
        Assert.Equal(1, ((Bundle)refused.Entry[1].Resource).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Patient_everything_returns_the_whole_record_of_one_patient()
    {
        var index = node.Bundles.Select((b, i) => (b, i)).OrderBy(x => x.b.Entry.Count).First().i;
        var expected = node.Bundles[index].Entry.Count;
        var id = node.PatientIds[index];

        var everything = await _client.SearchAsync($"Patient/{id}/$everything?_count=1000");

        Assert.Equal(expected, everything.Total);
        Assert.Equal(expected, everything.Entry.Count);
        Assert.IsType<Patient>(everything.Entry[0].Resource);

        var conditions = node.Bundles[index].Entry.Select(e => e.Resource).OfType<Condition>().Count();
        Assert.Equal(conditions, (await _client.SearchAsync($"Patient/{id}/$everything?_type=Condition")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_transaction_with_one_bad_entry_writes_nothing()
    {
        var before = (await _client.SearchAsync("Patient?_summary=count")).Total;
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { FullUrl = "urn:uuid:6d3c1f0e-0000-4000-8000-000000000001", Resource = new Patient { Name = [new HumanName { Family = "Atomic" }] }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient" } },
                new() { Resource = new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8302-2"), Subject = new ResourceReference("urn:uuid:6d3c1f0e-0000-4000-8000-00000000dead") }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Observation" } },
            ],
        };

        using var response = await _client.PostAsync("/fhir", FhirClient.Body(bundle));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Entry 1", (await response.ReadAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(before, (await _client.SearchAsync("Patient?_summary=count")).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_batch_processes_each_entry_on_its_own()
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry =
            [
                new() { Resource = new Basic { Code = new CodeableConcept("urn:test", "batch") }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Basic" } },
                new() { Request = new() { Method = Bundle.HTTPVerb.GET, Url = $"Patient/{Guid.NewGuid()}" } },
                new() { Request = new() { Method = Bundle.HTTPVerb.GET, Url = $"Patient?_id={node.PatientIds[0]}" } },
            ],
        };

        using var response = await _client.PostAsync("/fhir", FhirClient.Body(bundle));

        var result = await response.ReadAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.BatchResponse, result.Type);
        Assert.StartsWith("201", result.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.Equal("404", result.Entry[1].Response.Status);
        Assert.Equal(1, ((Bundle)result.Entry[2].Resource).Total);
    }

    [Fact]
    public async System.Threading.Tasks.Task Conditional_references_and_creates_in_a_transaction_resolve_against_stored_data()
    {
        // The last bundle's patient: $everything is checked on the smallest bundle, which this test must not touch.
        var last = node.Bundles.Count - 1;
        var patient = node.Bundles[last].Entry.Select(e => e.Resource).OfType<Patient>().Single();
        var ssn = patient.Identifier.First(i => i.System == "http://hl7.org/fhir/sid/us-ssn").Value;
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new() { Resource = new Basic { Code = new CodeableConcept("urn:test", "conditional"), Subject = new ResourceReference($"Patient?identifier=http://hl7.org/fhir/sid/us-ssn|{ssn}") }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Basic" } },
                new() { Resource = new Patient { Active = true }, Request = new() { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = $"identifier=http://hl7.org/fhir/sid/us-ssn|{ssn}" } },
            ],
        };

        using var response = await _client.PostAsync("/fhir", FhirClient.Body(bundle));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.ReadAsync<Bundle>();
        Assert.StartsWith("201", result.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.StartsWith("200", result.Entry[1].Response.Status, StringComparison.Ordinal);
        Assert.Equal($"Patient/{node.PatientIds[last]}", result.Entry[1].Response.Location.Split("/_history")[0]);
        var basic = await (await _client.GetAsync("/fhir/" + result.Entry[0].Response.Location.Split("/_history")[0])).ReadAsync<Basic>();
        Assert.Equal($"Patient/{node.PatientIds[last]}", basic.Subject.Reference);
    }
}

public sealed class SqliteSyntheaSearchTests(SqliteSyntheaNode node) : SyntheaSearchTests(node), IClassFixture<SqliteSyntheaNode>;

public sealed class PostgresSyntheaSearchTests(PostgresSyntheaNode node) : SyntheaSearchTests(node), IClassFixture<PostgresSyntheaNode>;
