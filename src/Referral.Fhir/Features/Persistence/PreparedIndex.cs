using Referral.Persistence;

namespace Referral.Fhir.Features.Persistence;

/// <summary>
/// The search index rows of a resource, extracted before its write unit starts. Extraction (FHIRPath over every
/// parameter) is the costly part of a write; done ahead, it runs in parallel instead of inside SQLite's single-writer
/// section. The rows do not depend on id, version or lastUpdated, which the store assigns inside the unit.
/// </summary>
public sealed class PreparedIndex
{
    private readonly ResourceEntity _rows;

    internal PreparedIndex(ResourceEntity rows) => _rows = rows;

    /// <summary>Adds fresh, unsaved copies of the rows, so a retried unit can stage them again.</summary>
    internal void CopyTo(ResourceEntity entity)
    {
        entity.StringIndices.AddRange(Copies(_rows.StringIndices));
        entity.TokenIndices.AddRange(Copies(_rows.TokenIndices));
        entity.DateIndices.AddRange(Copies(_rows.DateIndices));
        entity.ReferenceIndices.AddRange(Copies(_rows.ReferenceIndices));
        entity.QuantityIndices.AddRange(Copies(_rows.QuantityIndices));
        entity.NumberIndices.AddRange(Copies(_rows.NumberIndices));
        entity.UriIndices.AddRange(Copies(_rows.UriIndices));
    }

    private static IEnumerable<T> Copies<T>(List<T> rows)
        where T : IndexEntity => rows.Select(r => (T)r.CopyUnsaved());
}
