namespace Referral.Fhir.Features.Search.Query;

/// <summary>Which resources a (possibly nested) criterion applies to.</summary>
/// <param name="RegistryType">The type whose parameters are looked up (<c>Resource</c> for system-level search).</param>
/// <param name="ResourceType">The type index rows and resources are filtered on; null for system-level search (all types).</param>
internal sealed record SearchScope(string RegistryType, string? ResourceType)
{
    /// <summary>The types a system-level search names in <c>_type</c>; type parameters, chains and <c>_has</c> then apply per type.</summary>
    public IReadOnlyList<string> Types { get; init; } = [];

    public static SearchScope ForType(string resourceType) => new(resourceType, resourceType);

    public static SearchScope System { get; } = new("Resource", null);

    public bool IsSystem => ResourceType is null;
}
