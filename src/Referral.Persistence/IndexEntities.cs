namespace Referral.Persistence;

/// <summary>Columns every search index row has: which resource version and which search parameter it serves.</summary>
public abstract class IndexEntity
{
    public long Id { get; set; }

    /// <summary>The <see cref="ResourceEntity.Sid"/> of the (current) version this row indexes.</summary>
    public long Sid { get; set; }

    /// <summary>Copied from the resource so every lookup is one index seek on (type, parameter, value).</summary>
    public required string ResourceType { get; set; }

    /// <summary>The search parameter code, e.g. <c>family</c>.</summary>
    public required string Param { get; set; }

    /// <summary>
    /// Which element instance a row came from when rows of several tables must be matched together: the components of
    /// one composite parameter value (Param <c>code-value-quantity$0</c>, <c>$1</c>, …) share the Sid and Group of the
    /// Observation or Observation.component they were read from. 0 for ordinary rows, which match on their own.
    /// </summary>
    public int Group { get; set; }

    /// <summary>A copy not yet saved (no keys), to stage the same extracted value again, e.g. when a write is retried.</summary>
    public IndexEntity CopyUnsaved()
    {
        var copy = (IndexEntity)MemberwiseClone();
        copy.Id = 0;
        copy.Sid = 0;
        return copy;
    }
}

/// <summary>A string parameter value: normalized (case and accent folded) for the default match, exact for <c>:exact</c>.</summary>
public class StringIndexEntity : IndexEntity
{
    public required string Normalized { get; set; }
    public required string Exact { get; set; }
}

/// <summary>A token: system and code (either may be absent), plus display text for <c>:text</c>.</summary>
public class TokenIndexEntity : IndexEntity
{
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Text { get; set; }
}

/// <summary>A date, dateTime, instant or Period as the closed range [Start, End] in UTC ticks, the way FHIR date search needs it.</summary>
public class DateIndexEntity : IndexEntity
{
    public long Start { get; set; }
    public long End { get; set; }
}

/// <summary>A reference: a local target (type/id), an absolute or canonical URL, or a logical identifier.</summary>
public class ReferenceIndexEntity : IndexEntity
{
    public string? TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Url { get; set; }
    public string? IdentifierSystem { get; set; }
    public string? IdentifierValue { get; set; }
}

/// <summary>A quantity with its implicit precision range [Low, High] and unit system/code.</summary>
public class QuantityIndexEntity : IndexEntity
{
    public string? System { get; set; }
    public string? Code { get; set; }
    public double Value { get; set; }
    public double Low { get; set; }
    public double High { get; set; }
}

/// <summary>A number with its implicit precision range [Low, High].</summary>
public class NumberIndexEntity : IndexEntity
{
    public double Value { get; set; }
    public double Low { get; set; }
    public double High { get; set; }
}

/// <summary>A uri, url or canonical value.</summary>
public class UriIndexEntity : IndexEntity
{
    public required string Uri { get; set; }
}
