namespace Referral.Persistence;

/// <summary>One stored version of a FHIR resource: its raw JSON plus the columns the REST API reads without parsing it.</summary>
public class ResourceEntity
{
    /// <summary>Surrogate key of this version; index rows point at it.</summary>
    public long Sid { get; set; }

    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public int VersionId { get; set; }

    /// <summary>UTC ticks; stored as an integer so both providers compare and sort it natively.</summary>
    public long LastUpdatedTicks { get; set; }

    /// <summary>A delete is a version of its own (a tombstone) so history keeps it.</summary>
    public bool IsDeleted { get; set; }

    /// <summary>False only for the newest version of a resource; search indexes exist only for that one.</summary>
    public bool IsHistory { get; set; }

    /// <summary>The interaction that produced this version: POST, PUT, PATCH or DELETE (shown in history bundles).</summary>
    public required string Method { get; set; }

    /// <summary>The resource JSON with id and meta already set; empty for tombstones.</summary>
    public required string Json { get; set; }

    public List<StringIndexEntity> StringIndices { get; set; } = [];
    public List<TokenIndexEntity> TokenIndices { get; set; } = [];
    public List<DateIndexEntity> DateIndices { get; set; } = [];
    public List<ReferenceIndexEntity> ReferenceIndices { get; set; } = [];
    public List<QuantityIndexEntity> QuantityIndices { get; set; } = [];
    public List<NumberIndexEntity> NumberIndices { get; set; } = [];
    public List<UriIndexEntity> UriIndices { get; set; } = [];

    public DateTimeOffset LastUpdated => new(LastUpdatedTicks, TimeSpan.Zero);

    /// <summary>The index rows of each index table, with the row type that names the table.</summary>
    public IEnumerable<(Type Table, IReadOnlyList<IndexEntity> Rows)> IndexTables =>
    [
        (typeof(StringIndexEntity), StringIndices),
        (typeof(TokenIndexEntity), TokenIndices),
        (typeof(DateIndexEntity), DateIndices),
        (typeof(ReferenceIndexEntity), ReferenceIndices),
        (typeof(QuantityIndexEntity), QuantityIndices),
        (typeof(NumberIndexEntity), NumberIndices),
        (typeof(UriIndexEntity), UriIndices),
    ];
}
