using Referral.Fhir.Features.Search.Indexing;

namespace Referral.Fhir.Tests.Search;

public sealed class ReferenceLiteralTests
{
    [Theory]
    [InlineData("Patient/123", "Patient", "123", null)]
    [InlineData("Patient/123/_history/4", "Patient", "123", null)]
    [InlineData("http://x/fhir/Patient/123", "Patient", "123", "http://x/fhir/Patient/123")]
    [InlineData("http://x/fhir/Patient/123/_history/4", "Patient", "123", "http://x/fhir/Patient/123")]
    [InlineData("urn:uuid:27de96c6-6910-4f0f-8f10-00ce6090f447", null, null, "urn:uuid:27de96c6-6910-4f0f-8f10-00ce6090f447")]
    [InlineData("http://x/fhir/NotAType/123", null, null, "http://x/fhir/NotAType/123")]
    public void Parsing_a_reference_yields_its_target_and_url(string reference, string? type, string? id, string? url)
    {
        Assert.True(ReferenceLiteral.TryParse(reference, out var literal));
        Assert.Equal(new ReferenceLiteral(type, id, url), literal);
    }

    [Theory]
    [InlineData("#p1")]
    [InlineData("")]
    [InlineData("NotAType/123")]
    [InlineData("Resource/123")]
    public void Parsing_a_contained_or_unknown_relative_reference_fails(string reference) =>
        Assert.False(ReferenceLiteral.TryParse(reference, out _));
}
