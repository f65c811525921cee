using Hl7.Fhir.Model;
using Referral.Fhir.Features.Search;

namespace Referral.Fhir.Tests.Search;

public sealed class SearchParameterRegistryTests
{
    private static readonly SearchParameterRegistry Registry = new();

    [Theory]
    [InlineData("Observation", "code-value-quantity", "Observation", SearchParamType.Token, SearchParamType.Quantity)]
    [InlineData("Observation", "component-code-value-concept", "Observation.component", SearchParamType.Token, SearchParamType.Token)]
    [InlineData("Observation", "code-value-date", "Observation", SearchParamType.Token, SearchParamType.Date)]
    [InlineData("Observation", "code-value-string", "Observation", SearchParamType.Token, SearchParamType.String)]
    [InlineData("Group", "characteristic-value", "Group.characteristic", SearchParamType.Token, SearchParamType.Token)]
    [InlineData("ValueSet", "context-type-quantity", null, SearchParamType.Token, SearchParamType.Quantity)]
    public void R4_composites_are_registered_with_their_components_types(string type, string code, string? expression, SearchParamType first, SearchParamType second)
    {
        Assert.True(Registry.TryGet(type, code, out var parameter));

        Assert.Equal(SearchParamType.Composite, parameter.Type);
        Assert.Equal([first, second], parameter.Components.Select(c => c.Type));
        if (expression is not null)
        {
            Assert.Equal(expression, parameter.Expression);
        }
    }

    [Fact]
    public void Every_R4_composite_is_registered()
    {
        var composites = ModelInfo.SearchParameters.Where(d => d.Type == SearchParamType.Composite).ToList();

        Assert.NotEmpty(composites);
        Assert.All(composites, d => Assert.True(Registry.TryGet(d.Resource!, d.Name!, out var p) && p.Components.Count == d.Component!.Length, $"{d.Resource}.{d.Name}"));
    }

    [Fact]
    public void DocumentReference_relationship_reads_the_target_as_its_reference_part_and_the_code_as_its_token_part()
    {
        Assert.True(Registry.TryGet("DocumentReference", "relationship", out var parameter));

        Assert.Equal([(SearchParamType.Reference, "target"), (SearchParamType.Token, "code")], parameter.Components.Select(c => (c.Type, c.Expression)));
    }

    [Fact]
    public void A_custom_composite_takes_its_components_from_the_parameters_it_names()
    {
        var custom = new SearchParameter
        {
            Url = "http://example.org/SearchParameter/Patient-identifier-name",
            Code = "identifier-name",
            Base = [ResourceType.Patient],
            Type = SearchParamType.Composite,
            Expression = "Patient",
            Component =
            [
                new SearchParameter.ComponentComponent { Definition = "http://hl7.org/fhir/SearchParameter/Patient-identifier", Expression = "identifier" },
                new SearchParameter.ComponentComponent { Definition = "http://hl7.org/fhir/SearchParameter/individual-family", Expression = "name.family" },
            ],
        };

        var registry = new SearchParameterRegistry([custom]);

        Assert.True(registry.TryGet("Patient", "identifier-name", out var parameter));
        Assert.Equal([SearchParamType.Token, SearchParamType.String], parameter.Components.Select(c => c.Type));
    }
}
