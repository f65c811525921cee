using Referral.Fhir.Features.Search;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Search.Query;

/// <summary>Hand-made index rows for a test resource, filled the way the indexer fills them.</summary>
/// <remarks>Inside <see cref="Composite"/> the rows get the component Params and the group of one base instance.</remarks>
internal sealed class IndexRowsBuilder(ResourceEntity resource, int group = 0)
{
    private int _groups;

    /// <summary>One instance of a composite's base expression: <paramref name="parts"/> adds one row set per component, in order.</summary>
    public IndexRowsBuilder Composite(string code, params Action<IndexRowsBuilder, string>[] parts)
    {
        var instance = new IndexRowsBuilder(resource, ++_groups);
        for (var index = 0; index < parts.Length; index++)
        {
            parts[index](instance, $"{code}${index}");
        }

        return this;
    }

    public IndexRowsBuilder String(string param, string value)
    {
        resource.StringIndices.Add(new StringIndexEntity
        {
            ResourceType = resource.ResourceType,
            Param = param,
            Group = group,
            Normalized = StringNormalizer.Normalize(value),
            Exact = StringNormalizer.Truncate(value),
        });
        return this;
    }

    public IndexRowsBuilder Token(string param, string? system, string? code, string? text = null)
    {
        resource.TokenIndices.Add(new TokenIndexEntity
        {
            ResourceType = resource.ResourceType,
            Param = param,
            Group = group,
            System = system,
            Code = code,
            Text = text is null ? null : StringNormalizer.Normalize(text),
        });
        return this;
    }

    public IndexRowsBuilder Date(string param, string literal)
    {
        Assert.True(DateRange.TryParse(literal, out var range));
        resource.DateIndices.Add(new DateIndexEntity { ResourceType = resource.ResourceType, Param = param, Group = group, Start = range.StartTicks, End = range.EndTicks });
        return this;
    }

    public IndexRowsBuilder Reference(string param, string? targetType, string? targetId, string? url = null)
    {
        resource.ReferenceIndices.Add(new ReferenceIndexEntity { ResourceType = resource.ResourceType, Param = param, Group = group, TargetType = targetType, TargetId = targetId, Url = url });
        return this;
    }

    public IndexRowsBuilder ReferenceIdentifier(string param, string system, string value)
    {
        resource.ReferenceIndices.Add(new ReferenceIndexEntity { ResourceType = resource.ResourceType, Param = param, IdentifierSystem = system, IdentifierValue = value });
        return this;
    }

    public IndexRowsBuilder Quantity(string param, string value, string? system, string? code)
    {
        Assert.True(DecimalRange.TryParse(value, out var range));
        resource.QuantityIndices.Add(new QuantityIndexEntity
        {
            ResourceType = resource.ResourceType,
            Param = param,
            Group = group,
            System = system,
            Code = code,
            Value = (double)range.Value,
            Low = (double)range.Low,
            High = (double)range.High,
        });
        return this;
    }

    public IndexRowsBuilder Number(string param, string value)
    {
        Assert.True(DecimalRange.TryParse(value, out var range));
        resource.NumberIndices.Add(new NumberIndexEntity { ResourceType = resource.ResourceType, Param = param, Group = group, Value = (double)range.Value, Low = (double)range.Low, High = (double)range.High });
        return this;
    }

    public IndexRowsBuilder Uri(string param, string uri)
    {
        resource.UriIndices.Add(new UriIndexEntity { ResourceType = resource.ResourceType, Param = param, Group = group, Uri = uri });
        return this;
    }
}
