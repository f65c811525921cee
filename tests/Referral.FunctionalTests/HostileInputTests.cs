using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>
/// Input written to break the node rather than to use it: each is refused with a 4xx OperationOutcome that gives nothing
/// internal away, never a 5xx, and nothing is written. Searches that look like injections match literally.
/// </summary>
public abstract class HostileInputTests(NodeFactory factory)
{
    private const string Baseline = "Hostilebaseline";

    private static readonly string Nested = "{\"resourceType\":\"Patient\",\"extension\":[" +
        string.Concat(Enumerable.Repeat("{\"url\":\"http://x\",\"extension\":[", 100)) + string.Concat(Enumerable.Repeat("]}", 100)) + "]}";

    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Hostile bodies for POST /fhir/Patient: (what it is, bytes, content type).</summary>
    public static TheoryData<string, byte[], string> HostileBodies => new()
    {
        { "JSON nested beyond MaxJsonDepth", Utf8(Nested), "application/fhir+json" },
        { "arrays nested beyond MaxJsonDepth", Utf8("{\"resourceType\":\"Patient\",\"name\":" + new string('[', 5000) + new string(']', 5000) + "}"), "application/fhir+json" },
        { "duplicate keys", Utf8("{\"resourceType\":\"Patient\",\"gender\":\"male\",\"gender\":\"female\"}"), "application/fhir+json" },
        { "duplicate resourceType", Utf8("{\"resourceType\":\"Patient\",\"resourceType\":\"Observation\"}"), "application/fhir+json" },
        { "duplicate keys in a nested object", Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\",\"family\":\"B\"}]}"), "application/fhir+json" },
        { "raw NUL byte in a string", Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\0B\"}]}"), "application/fhir+json" },
        { "escaped NUL in a string", Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\\u0000B\"}]}"), "application/fhir+json" },
        { "escaped control character in a string", Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\\u0007B\"}]}"), "application/fhir+json" },
        { "escaped NUL in an id", Utf8("{\"resourceType\":\"Patient\",\"id\":\"a\\u0000b\"}"), "application/fhir+json" },
        { "NUL bytes outside strings", Utf8("{\"resourceType\":\"Patient\"\0\0}"), "application/fhir+json" },
        { "invalid UTF-8 in a string", [.. Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\""), 0xC3, 0x28, 0xFF, .. Utf8("\"}]}")], "application/fhir+json" },
        { "overlong UTF-8 encoding", [.. Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\""), 0xC0, 0xAF, .. Utf8("\"}]}")], "application/fhir+json" },
        { "lone surrogate escape", Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\\uD800\"}]}"), "application/fhir+json" },
        { "UTF-16 body", Encoding.Unicode.GetBytes("{\"resourceType\":\"Patient\"}"), "application/fhir+json" },
        { "resourceType as an array", Utf8("{\"resourceType\":[\"Patient\"]}"), "application/fhir+json" },
        { "resourceType as an object", Utf8("{\"resourceType\":{\"x\":1}}"), "application/fhir+json" },
        { "resourceType null", Utf8("{\"resourceType\":null}"), "application/fhir+json" },
        { "resourceType missing", Utf8("{\"name\":[{\"family\":\"x\"}]}"), "application/fhir+json" },
        { "an object where an array belongs", Utf8("{\"resourceType\":\"Patient\",\"name\":{\"family\":\"x\"}}"), "application/fhir+json" },
        { "an array in an array", Utf8("{\"resourceType\":\"Patient\",\"name\":[[{\"family\":\"x\"}]]}"), "application/fhir+json" },
        { "an array where a primitive belongs", Utf8("{\"resourceType\":\"Patient\",\"active\":[true]}"), "application/fhir+json" },
        { "a contained array", Utf8("{\"resourceType\":\"Patient\",\"contained\":[[]]}"), "application/fhir+json" },
        { "a primitive extension of the wrong shape", Utf8("{\"resourceType\":\"Patient\",\"birthDate\":\"1970-01-01\",\"_birthDate\":[1]}"), "application/fhir+json" },
        { "a NUL in a property name", Utf8("{\"resourceType\":\"Patient\",\"na\\u0000me\":[]}"), "application/fhir+json" },
        { "a NUL in an extension url", Utf8("{\"resourceType\":\"Patient\",\"extension\":[{\"url\":\"http://x/\\u0000\",\"valueString\":\"x\"}]}"), "application/fhir+json" },
        { "a backspace escape in narrative", Utf8("{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a\\bb</div>\"}}"), "application/fhir+json" },
        { "trailing garbage", Utf8("{\"resourceType\":\"Patient\"} {\"resourceType\":\"Patient\"}"), "application/fhir+json" },
        { "JSON array instead of a resource", Utf8("[{\"resourceType\":\"Patient\"}]"), "application/fhir+json" },
        { "JSON null", Utf8("null"), "application/fhir+json" },
        { "JSON string", Utf8("\"Patient\""), "application/fhir+json" },
        { "number too large", Utf8("{\"resourceType\":\"Patient\",\"multipleBirthInteger\":99999999999999999999999}"), "application/fhir+json" },
        { "XML with an external entity", Utf8(
            "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
            "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&xxe;\"/></name></Patient>"), "application/fhir+xml" },
        { "XML with an entity expansion bomb", Utf8(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">" +
            "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>" +
            "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&lol3;\"/></name></Patient>"), "application/fhir+xml" },
        { "XML with an external DTD", Utf8(
            "<?xml version=\"1.0\"?><!DOCTYPE Patient SYSTEM \"http://127.0.0.1:1/evil.dtd\"><Patient xmlns=\"http://hl7.org/fhir\"/>"), "application/fhir+xml" },
        { "XML with a NUL character reference", Utf8("<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"A&#0;B\"/></name></Patient>"), "application/fhir+xml" },
        { "XML nested beyond reason", Utf8("<Patient xmlns=\"http://hl7.org/fhir\">" +
            string.Concat(Enumerable.Repeat("<extension url=\"http://x\">", 5000)) + string.Concat(Enumerable.Repeat("</extension>", 5000)) + "</Patient>"), "application/fhir+xml" },
        { "XML sent as JSON", Utf8("<Patient xmlns=\"http://hl7.org/fhir\"/>"), "application/fhir+json" },
        { "JSON sent as XML", Utf8("{\"resourceType\":\"Patient\"}"), "application/fhir+xml" },
        { "form post", Utf8("resourceType=Patient&name=x"), "application/x-www-form-urlencoded" },
        { "multipart", Utf8("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n{}\r\n--b--\r\n"), "multipart/form-data; boundary=b" },
        { "octet stream", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00], "application/octet-stream" },
        { "HTML", Utf8("<html><script>alert(1)</script></html>"), "text/html" },
        { "malformed content type", Utf8("{\"resourceType\":\"Patient\"}"), "a/;;;=\"" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async System.Threading.Tasks.Task A_hostile_body_is_refused_with_an_outcome_and_writes_nothing(string what, byte[] body, string contentType)
    {
        Assert.False(string.IsNullOrEmpty(what));
        var before = await WrittenAsync();

        using var post = await _client.SendAsync(Request(HttpMethod.Post, "/fhir/Patient", body, contentType));
        await OutcomeAssert.RefusedAsync(post);
        using var put = await _client.SendAsync(Request(HttpMethod.Put, "/fhir/Patient/hostile-put", body, contentType));
        await OutcomeAssert.RefusedAsync(put);
        using var bundle = await _client.SendAsync(Request(HttpMethod.Post, "/fhir", body, contentType));
        await OutcomeAssert.RefusedAsync(bundle);

        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_body_beyond_MaxBodyBytes_gets_413_with_an_outcome_and_writes_nothing()
    {
        var before = await WrittenAsync();
        var big = Utf8("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + new string('x', 13 * 1024 * 1024) + "\"}]}");

        using var sized = await _client.SendAsync(Request(HttpMethod.Post, "/fhir/Patient", big, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        await OutcomeAssert.RefusedAsync(sized);

        // Chunked, so no Content-Length warns the server in advance: the limit must hold while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = new StreamContent(new UnseekableStream(big)) };
        chunked.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/fhir+json");
        using var streamed = await _client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        await OutcomeAssert.RefusedAsync(streamed);

        using var bundle = await _client.SendAsync(Request(HttpMethod.Post, "/fhir", big, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bundle.StatusCode);

        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_bundle_with_more_entries_than_MaxBundleEntries_is_refused_and_writes_nothing()
    {
        var before = await WrittenAsync();
        var entries = string.Join(',', Enumerable.Repeat(
            "{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Flood\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}", 10_001));

        foreach (var type in new[] { "transaction", "batch" })
        {
            using var response = await _client.PostAsync("/fhir", FhirClient.Body($"{{\"resourceType\":\"Bundle\",\"type\":\"{type}\",\"entry\":[{entries}]}}"));
            var outcome = await OutcomeAssert.RefusedAsync(response);
            Assert.Contains(outcome.Issue, i => i.Expression.Contains("Bundle.entry"));
        }

        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_transaction_with_one_hostile_entry_writes_none_of_its_entries()
    {
        var before = await WrittenAsync();
        const string good = "{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Atomic\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}";
        string[] hostile =
        [
            "{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\\u0000B\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}",
            "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"x\"},\"request\":{\"method\":\"PUT\",\"url\":\"Patient/..%2F..%2Fx\"}}",
            "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/../../etc/passwd\"}}",
            "{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/..\"}}",
            "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\".\"},\"request\":{\"method\":\"PUT\",\"url\":\"Patient/.\"}}",
            "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/x/_history/1/../../..\"}}",
            "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"x\"},\"request\":{\"method\":\"PUT\",\"url\":\"Patient/x/\\u0000\"}}",
            "{\"request\":{\"method\":\"GET\",\"url\":\"Patient?family=%00\"}}",
            "{\"resource\":{\"resourceType\":\"Patient\"},\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":\"family=%00\"}}",
        ];

        foreach (var entry in hostile)
        {
            using var response = await _client.PostAsync("/fhir", FhirClient.Body($"{{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{good},{good},{entry}]}}"));
            await OutcomeAssert.RefusedAsync(response);
        }

        Assert.Equal(before, await WrittenAsync());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_resource_at_the_nesting_limit_is_stored_served_searched_and_patched()
    {
        // MaxJsonDepth is 64: 31 nested extensions are 63 JSON levels. XML is held to 31 levels (half, less the root),
        // which 30 nested extensions and the innermost value fill.
        var json = "{\"resourceType\":\"Patient\",\"extension\":[" + NestedExtensions(30, ",\"extension\":[", "]") + "]}";
        var xml = "<Patient xmlns=\"http://hl7.org/fhir\">" + NestedXmlExtensions(29) + "</Patient>";

        foreach (var (body, contentType) in new[] { (json, "application/fhir+json"), (xml, "application/fhir+xml") })
        {
            using var created = await _client.SendAsync(Request(HttpMethod.Post, "/fhir/Patient", Utf8(body), contentType));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.ReadAsync<Patient>()).Id;

            foreach (var url in new[] { $"/fhir/Patient/{id}", $"/fhir/Patient?_id={id}", $"/fhir/Patient/{id}/_history", $"/fhir/Patient/{id}/$everything", $"/fhir/Patient/{id}?_format=xml" })
            {
                using var response = await _client.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            }

            using var patched = await _client.SendAsync(Request(HttpMethod.Patch, $"/fhir/Patient/{id}",
                Utf8("[{\"op\":\"add\",\"path\":\"/birthDate\",\"value\":\"1970-01-01\"}]"), "application/json-patch+json"));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_resource_one_level_beyond_the_nesting_limit_is_refused_in_JSON_and_XML()
    {
        var before = await WrittenAsync();
        var json = "{\"resourceType\":\"Patient\",\"extension\":[" + NestedExtensions(31, ",\"extension\":[", "]") + "]}";
        var xml = "<Patient xmlns=\"http://hl7.org/fhir\">" + NestedXmlExtensions(30) + "</Patient>";

        using var jsonResponse = await _client.SendAsync(Request(HttpMethod.Post, "/fhir/Patient", Utf8(json), "application/fhir+json"));
        await OutcomeAssert.RefusedAsync(jsonResponse);
        using var xmlResponse = await _client.SendAsync(Request(HttpMethod.Post, "/fhir/Patient", Utf8(xml), "application/fhir+xml"));
        await OutcomeAssert.RefusedAsync(xmlResponse);

        Assert.Equal(before, await WrittenAsync());
    }

    public static TheoryData<string> InjectionShapedValues => new()
    {
        "' OR 1=1 --",
        "' OR '1'='1",
        "%",
        "_",
        "%25",
        "\\",
        "\\\\",
        "\"; DROP TABLE resource;--",
        "'; DROP TABLE \"Resources\"; --",
        "*",
        "[a-z]",
        "$",
        "a|b",
        "http://x|%",
        "<script>alert(1)</script>",
        "${jndi:ldap://x}",
        new string('a', 5000),
        new string('%', 5000),
    };

    [Theory]
    [MemberData(nameof(InjectionShapedValues))]
    public async System.Threading.Tasks.Task An_injection_shaped_search_value_matches_literally_or_is_refused(string value)
    {
        await EnsureBaselineAsync();
        var before = await WrittenAsync();
        var escaped = Uri.EscapeDataString(value);

        foreach (var query in new[]
        {
            $"Patient?family={escaped}", $"Patient?name={escaped}", $"Patient?family:contains={escaped}", $"Patient?family:exact={escaped}",
            $"Patient?identifier={escaped}", $"Patient?_id={escaped}", $"Patient?gender={escaped}", $"Patient?birthdate={escaped}",
            $"Patient?general-practitioner={escaped}", $"Patient?general-practitioner.name={escaped}", $"Patient?_has:Observation:subject:code={escaped}",
            $"Patient?family={escaped}&_sort={escaped}", $"Patient?family={escaped}&_include={escaped}", $"Patient?family={escaped}&_elements={escaped}",
            $"Observation?value-quantity={escaped}", $"Patient?_total={escaped}",
        })
        {
            await AssertRefusedOrMatchesNothingAsync(query);
        }

        Assert.Equal(before, await WrittenAsync());
    }

    [Theory]
    [InlineData("%00")]
    [InlineData("a%00b")]
    [InlineData("%01%02%1F")]
    [InlineData("%C0%AE")]
    [InlineData("%FF%FE")]
    [InlineData("%ED%A0%80")]
    public async System.Threading.Tasks.Task A_search_value_with_control_bytes_or_broken_UTF8_is_refused_or_matches_nothing(string escaped)
    {
        await EnsureBaselineAsync();
        foreach (var query in new[]
        {
            $"Patient?family={escaped}", $"Patient?family:exact={escaped}", $"Patient?family:contains={escaped}", $"Patient?identifier={escaped}",
            $"Patient?identifier=urn:x|{escaped}", $"Patient?_id={escaped}", $"Patient?general-practitioner={escaped}",
        })
        {
            await AssertRefusedOrMatchesNothingAsync(query);
        }
    }

    /// <summary>No 5xx; a refusal is an OperationOutcome, and an answer never holds the baseline patient (a wildcard or injected OR would).</summary>
    private async System.Threading.Tasks.Task AssertRefusedOrMatchesNothingAsync(string query)
    {
        using var response = await _client.GetAsync($"/fhir/{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{query}: {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
        if (response.IsSuccessStatusCode)
        {
            Assert.DoesNotContain(Baseline, text, StringComparison.Ordinal);
        }
        else
        {
            await OutcomeAssert.RefusedAsync(response);
        }
    }

    public static TheoryData<string> HostileIds => new()
    {
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f",
        "%2e%2e%2fPatient",
        "..%2f",
        "..%2fx",
        "..%5c..%5cwindows",
        "....%2f%2f",
        "%252e%252e%252f",
        new string('a', 65),
        new string('1', 1000),
        "a%20b",
        "a;b",
        "a'b",
        "a%22b",
        "%3Cscript%3E",
        "%C0%AE%C0%AE",
        "caf%C3%A9",
        "a_b",
        "a*",
    };

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async System.Threading.Tasks.Task A_hostile_id_is_refused_on_read_vread_update_patch_and_delete_and_writes_nothing(string id)
    {
        var before = await WrittenAsync();
        var body = Utf8("{\"resourceType\":\"Patient\",\"id\":\"x\"}");

        using var read = await _client.GetAsync($"/fhir/Patient/{id}");
        await OutcomeAssert.RefusedAsync(read);
        using var vread = await _client.GetAsync($"/fhir/Patient/{id}/_history/1");
        await OutcomeAssert.RefusedAsync(vread);
        using var history = await _client.GetAsync($"/fhir/Patient/{id}/_history");
        await OutcomeAssert.RefusedAsync(history);
        using var update = await _client.SendAsync(Request(HttpMethod.Put, $"/fhir/Patient/{id}", body, "application/fhir+json"));
        await OutcomeAssert.RefusedAsync(update);
        using var patch = await _client.SendAsync(Request(HttpMethod.Patch, $"/fhir/Patient/{id}", Utf8("[]"), "application/json-patch+json"));
        await OutcomeAssert.RefusedAsync(patch);
        using var delete = await _client.DeleteAsync($"/fhir/Patient/{id}");
        await OutcomeAssert.RefusedAsync(delete);
        using var everything = await _client.GetAsync($"/fhir/Patient/{id}/$everything");
        await OutcomeAssert.RefusedAsync(everything);

        Assert.Equal(before, await WrittenAsync());
    }

    [Theory]
    [InlineData("/fhir/..%2FPatient/1")]
    [InlineData("/fhir/Patient/1/_history/..%2F1")]
    [InlineData("/fhir/Patient/1/_history/99999999999999")]
    [InlineData("/fhir/Patient/1/_history/-1")]
    [InlineData("/fhir/Patient/1/extra/segments")]
    [InlineData("/fhir/Patient/1/_history/1/more")]
    public async System.Threading.Tasks.Task A_hostile_url_is_refused_with_an_outcome(string url)
    {
        using var response = await _client.GetAsync(url);

        await OutcomeAssert.RefusedAsync(response);
    }

    [Theory]
    [InlineData("Patient?_count=100000000")]
    [InlineData("Patient?_count=2147483647")]
    [InlineData("_history?_count=100000000")]
    [InlineData("Patient/_history?_count=2147483647")]
    public async System.Threading.Tasks.Task A_huge_count_is_capped_at_MaxPageSize(string query)
    {
        using var response = await _client.GetAsync($"/fhir/{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsync<Bundle>();
        Assert.InRange(bundle.Entry.Count, 0, 500);
        Assert.All(bundle.Link, l => Assert.DoesNotContain("_count=100000000", l.Url, StringComparison.Ordinal));
        Assert.All(bundle.Link, l => Assert.DoesNotContain("_count=2147483647", l.Url, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Patient?_count=-1")]
    [InlineData("Patient?_count=abc")]
    [InlineData("Patient?_count=1e9")]
    [InlineData("Patient?_count=99999999999999999999")]
    [InlineData("Patient?_count=%00")]
    [InlineData("Patient?_offset=-1")]
    [InlineData("Patient?_offset=99999999999999999999")]
    [InlineData("_history?_count=-1")]
    [InlineData("_history?_count=abc")]
    [InlineData("_history?_offset=-5")]
    [InlineData("_history?_since=%27%20OR%201=1")]
    [InlineData("Patient/_history?_count=99999999999999999999")]
    public async System.Threading.Tasks.Task A_count_or_offset_that_is_no_number_is_refused_naming_it(string query)
    {
        using var response = await _client.GetAsync($"/fhir/{query}");

        var outcome = await OutcomeAssert.RefusedAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(outcome.Issue, i => i.Expression.Any(e => e.StartsWith('_')) || (i.Diagnostics ?? "").Contains('_', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("_history?_offset=2147483647")]
    [InlineData("Patient?_offset=2147483647")]
    [InlineData("Patient?_offset=2147483647&_count=500")]
    public async System.Threading.Tasks.Task An_offset_far_past_the_end_gives_an_empty_page_without_a_server_error(string query)
    {
        using var response = await _client.GetAsync($"/fhir/{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsync<Bundle>();
        Assert.Empty(bundle.Entry);
        Assert.DoesNotContain(bundle.Link, l => l.Relation == "next");
    }

    [Theory]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"A\\u0000B\"}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/id\",\"value\":\"../../x\"}]")]
    [InlineData("[{\"op\":\"add\",\"path\":\"/resourceType\",\"value\":\"Observation\"}]")]
    [InlineData("[{\"op\":\"copy\",\"from\":\"/../../etc\",\"path\":\"/x\"}]")]
    [InlineData("[{\"op\":\"remove\",\"path\":\"/name/99999999999999999999\"}]")]
    [InlineData("[{\"op\":\"eval\",\"path\":\"/\"}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/name/0/family\",\"value\":\"A\",\"value\":\"B\"}]")]
    [InlineData("{\"op\":\"replace\"}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    [InlineData("[{\"op\":\"add\",\"path\":\"/extension\",\"value\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]")]
    [InlineData("\0")]
    public async System.Threading.Tasks.Task A_hostile_patch_is_refused_and_leaves_the_resource_unchanged(string patch)
    {
        var patient = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = "Patchtarget" }] });
        var before = await WrittenAsync();

        using var response = await _client.SendAsync(Request(HttpMethod.Patch, $"/fhir/Patient/{patient.Id}", Utf8(patch), "application/json-patch+json"));

        await OutcomeAssert.RefusedAsync(response);
        Assert.Equal(before, await WrittenAsync());
        var read = await (await _client.GetAsync($"/fhir/Patient/{patient.Id}")).ReadAsync<Patient>();
        Assert.Equal("1", read.Meta.VersionId);
    }

    [Theory]
    [InlineData("W/\"abc\"")]
    [InlineData("W/\"99999999999999999999\"")]
    [InlineData("W/\"-1\"")]
    [InlineData("' OR 1=1 --")]
    public async System.Threading.Tasks.Task A_hostile_If_Match_is_refused_on_update_and_delete_and_writes_nothing(string value)
    {
        var patient = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = "Ifmatchtarget" }] });
        var before = await WrittenAsync();

        using var update = Request(HttpMethod.Put, $"/fhir/Patient/{patient.Id}", Utf8($"{{\"resourceType\":\"Patient\",\"id\":\"{patient.Id}\"}}"), "application/fhir+json");
        update.Headers.TryAddWithoutValidation("If-Match", value);
        using var put = await _client.SendAsync(update);
        await OutcomeAssert.RefusedAsync(put);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/fhir/Patient/{patient.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", value);
        using var deleted = await _client.SendAsync(delete);
        await OutcomeAssert.RefusedAsync(deleted);

        Assert.Equal(before, await WrittenAsync());
    }

    [Theory]
    [InlineData("family=%00")]
    [InlineData("_has:x:y:z=%")]
    [InlineData("_count=abc")]
    [InlineData("%")]
    [InlineData("=")]
    public async System.Threading.Tasks.Task A_hostile_If_None_Exist_is_refused_and_writes_nothing(string value)
    {
        var before = await WrittenAsync();

        using var request = Request(HttpMethod.Post, "/fhir/Patient", Utf8("{\"resourceType\":\"Patient\"}"), "application/fhir+json");
        request.Headers.TryAddWithoutValidation("If-None-Exist", value);
        using var create = await _client.SendAsync(request);

        await OutcomeAssert.RefusedAsync(create);
        Assert.Equal(before, await WrittenAsync());
    }

    /// <summary>Every version the node has written (the system-level history total), so any write shows.</summary>
    private async Task<int> WrittenAsync() => (await _client.SearchAsync("_history?_count=0")).Total ?? -1;

    private async System.Threading.Tasks.Task EnsureBaselineAsync()
    {
        if (((await _client.SearchAsync($"Patient?family={Baseline}&_summary=count")).Total ?? 0) == 0)
        {
            await _client.CreateAsync(new Patient
            {
                Name = [new HumanName { Family = Baseline, Given = ["Ann"] }],
                Identifier = [new Identifier("urn:test:hostile", "baseline-1")],
                Gender = AdministrativeGender.Female,
                BirthDate = "1980-01-01",
            });
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, byte[] body, string contentType)
    {
        var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    // levels extensions around one with a value: 3 + 2 * levels JSON levels inside a Patient's extension array.
    private static string NestedExtensions(int levels, string open, string close) =>
        string.Concat(Enumerable.Repeat("{\"url\":\"http://example.org/x\"" + open, levels)) +
        "{\"url\":\"http://example.org/x\",\"valueString\":\"deep\"}" + string.Concat(Enumerable.Repeat(close + "}", levels));

    // levels extensions around one with a value, whose valueString is at XML depth levels + 2.
    private static string NestedXmlExtensions(int levels) =>
        string.Concat(Enumerable.Repeat("<extension url=\"http://example.org/x\">", levels)) +
        "<extension url=\"http://example.org/x\"><valueString value=\"deep\"/></extension>" +
        string.Concat(Enumerable.Repeat("</extension>", levels));

    /// <summary>A body stream with no length, so the client sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

public sealed class SqliteHostileInputTests(SqliteNode node) : HostileInputTests(node.Factory), IClassFixture<SqliteNode>;

public sealed class PostgresHostileInputTests(PostgresNode node) : HostileInputTests(node.Factory), IClassFixture<PostgresNode>;
