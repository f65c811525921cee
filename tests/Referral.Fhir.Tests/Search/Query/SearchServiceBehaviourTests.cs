using Referral.Fhir.Errors;

namespace Referral.Fhir.Tests.Search.Query;

public sealed class SearchServiceBehaviourTests(SqliteSearchDatabase database) : IClassFixture<SqliteSearchDatabase>
{
    [Fact]
    public async Task GivenLenientHandling_WhenAParameterIsUnknown_ThenItIsIgnoredAndListed()
    {
        var result = await SearchAsync("Patient", "foo=bar&gender=female&family:fuzzy=x", strict: false);

        Assert.Equal(["p2"], result.Matches.Select(m => m.ResourceId));
        Assert.Equal(["foo", "family:fuzzy"], result.IgnoredParameters);
        Assert.Equal([new KeyValuePair<string, string>("gender", "female")], result.AppliedParameters);
    }

    [Theory]
    [InlineData("foo=bar", "foo")]
    [InlineData("family:fuzzy=x", "family:fuzzy")]
    [InlineData("subject:Patient.foo=x", "subject:Patient.foo")]
    [InlineData("_has:Observation:foo:code=1", "_has:Observation:foo:code")]
    [InlineData("_sort=foo", "_sort")]
    [InlineData("_include=Observation:code", "_include")]
    public async Task GivenStrictHandling_WhenAParameterIsUnknown_ThenBadRequestNamesIt(string query, string expression)
    {
        var type = query.StartsWith("family", StringComparison.Ordinal) || query.StartsWith("foo", StringComparison.Ordinal) ? "Patient" : "Observation";

        var error = await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync(type, query, strict: true));

        Assert.Equal([expression], error.Issues.Single().Expression);
    }

    [Theory]
    [InlineData("birthdate=notadate", "birthdate")]
    [InlineData("birthdate=gt2020-13", "birthdate")]
    [InlineData("_lastUpdated=yesterday", "_lastUpdated")]
    [InlineData("gender:missing=maybe", "gender:missing")]
    [InlineData("_count=-1", "_count")]
    [InlineData("_offset=x", "_offset")]
    [InlineData("_total=some", "_total")]
    [InlineData("_summary=brief", "_summary")]
    public async Task GivenAnUnparsableValue_WhenSearchingLeniently_ThenBadRequestNamesTheParameter(string query, string expression)
    {
        var error = await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync("Patient", query, strict: false));

        Assert.Equal([expression], error.Issues.Single().Expression);
    }

    [Theory]
    [InlineData("code:in=http://terms.example/ValueSet/missing", "code:in")]
    [InlineData("code:not-in=ValueSet/nope", "code:not-in")]
    [InlineData("code:in=http://terms.example/ValueSet/filtered", "code:in")]
    [InlineData("code:below=http://loinc.org|1234-5", "code:below")]
    [InlineData("code:above=1234-5", "code:above")]
    [InlineData("code-value-quantity=http://loinc.org|1234-5", "code-value-quantity")]
    [InlineData("code-value-quantity=1234-5$gt1$2", "code-value-quantity")]
    [InlineData("component-code-value-quantity=8480-6$high", "component-code-value-quantity")]
    public async Task GivenTerminologyOrACompositeValueTheServerCannotUse_WhenSearching_ThenBadRequestNamesTheParameter(string query, string expression)
    {
        var error = await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync("Observation", query, strict: false));

        Assert.Equal([expression], error.Issues.Single().Expression);
    }

    [Fact]
    public async Task GivenIdentifierOfType_WhenTheValueLacksAPart_ThenBadRequestNamesTheParameter()
    {
        var error = await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync("Patient", "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR", strict: false));

        Assert.Equal(["identifier:of-type"], error.Issues.Single().Expression);
    }

    [Theory]
    [InlineData("RiskAssessment", "probability=high")]
    [InlineData("Observation", "value-quantity=5|mg")]
    [InlineData("Observation", "code=a|b|c")]
    public async Task GivenAMalformedNumberQuantityOrToken_WhenSearching_ThenBadRequest(string type, string query) =>
        await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync(type, query, strict: false));

    [Fact]
    public async Task GivenAnUnknownResourceType_WhenSearching_ThenBadRequest() =>
        await Assert.ThrowsAsync<BadRequestException>(() => SearchAsync("Unicorn", "", strict: false));

    [Fact]
    public async Task GivenTotalNone_WhenSearching_ThenTotalIsNullButThePageIsReturned()
    {
        var result = await SearchAsync("Patient", "_total=none&_count=1", strict: true);

        Assert.Null(result.Total);
        Assert.Single(result.Matches);
        Assert.True(result.HasMore);
    }

    [Fact]
    public async Task GivenResultShapingParameters_WhenSearching_ThenTheyArePassedThroughAndAppliedIsNormalized()
    {
        var result = await SearchAsync("Patient", "family=smith&_sort=-birthdate, family&_count=5000&_offset=0&_format=json&_pretty=true&_elements=name, gender&_summary=data", strict: true);

        Assert.Equal(1000, result.Count);
        Assert.Equal("data", result.Summary);
        Assert.Equal(["name", "gender"], result.Elements);
        Assert.Equal(
            [new("family", "smith"), new("_elements", "name,gender"), new("_summary", "data"), new("_sort", "-birthdate,family")],
            result.AppliedParameters);
    }

    [Fact]
    public async Task GivenAnEmptyValue_WhenSearching_ThenTheParameterConstrainsNothing()
    {
        var result = await SearchAsync("Patient", "family=", strict: true);

        Assert.Equal(3, result.Total);
    }

    [Fact]
    public async Task GivenASystemSearch_WhenAParameterOnlyATypeHas_ThenItIsIgnoredLeniently()
    {
        var result = await SearchAsync(null, "gender=male&_id=p1", strict: false);

        Assert.Equal(["p1"], result.Matches.Select(m => m.ResourceId));
        Assert.Equal(["gender"], result.IgnoredParameters);
    }

    [Fact]
    public async Task GivenAConditionalMatch_WhenCriteriaMatchOne_ThenOnlyThatCurrentResourceIsReturned()
    {
        await using var db = database.CreateContext();

        var matches = await SearchCaseRunner.Service.MatchAsync(db, "Patient", SearchCase.ParseQuery("identifier=http://hospital/mrn|111&_count=0&_sort=family"), 2, CancellationToken.None);

        Assert.Equal(["p1"], matches.Select(m => m.ResourceId));
    }

    [Fact]
    public async Task GivenAConditionalMatch_WhenMoreMatchThanTheLimit_ThenAtMostLimitAreReturned()
    {
        await using var db = database.CreateContext();

        var matches = await SearchCaseRunner.Service.MatchAsync(db, "Patient", SearchCase.ParseQuery("gender=male"), 1, CancellationToken.None);

        Assert.Single(matches);
    }

    [Fact]
    public async Task GivenAConditionalMatch_WhenAParameterIsUnknown_ThenBadRequestRatherThanAWiderMatch()
    {
        await using var db = database.CreateContext();

        await Assert.ThrowsAsync<BadRequestException>(() =>
            SearchCaseRunner.Service.MatchAsync(db, "Patient", SearchCase.ParseQuery("foo=bar"), 2, CancellationToken.None));
    }

    private async Task<Features.Search.Query.SearchResult> SearchAsync(string? type, string query, bool strict)
    {
        await using var db = database.CreateContext();
        return await SearchCaseRunner.Service.SearchAsync(db, type, SearchCase.ParseQuery(query), strict, CancellationToken.None);
    }
}
