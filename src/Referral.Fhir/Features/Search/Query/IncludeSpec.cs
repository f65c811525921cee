namespace Referral.Fhir.Features.Search.Query;

/// <summary>One <c>_include</c>/<c>_revinclude</c>: <c>Source:param[:Target]</c>, where "*" stands for any source type or any reference parameter.</summary>
/// <param name="Reverse">True for _revinclude: resources of <paramref name="SourceType"/> that reference the current set.</param>
/// <param name="SourceType">The type holding the reference; "*" for any.</param>
/// <param name="Param">The reference parameter; "*" for any.</param>
/// <param name="TargetType">Only references to this type, if given.</param>
/// <param name="Iterate">Also applies to resources that were themselves included (<c>:iterate</c>).</param>
internal sealed record IncludeSpec(bool Reverse, string SourceType, string Param, string? TargetType, bool Iterate)
{
    public const string Any = "*";

    public string Key => (Reverse ? "_revinclude" : "_include") + (Iterate ? ":iterate" : "");

    public string Value => SourceType == Any && Param == Any && TargetType is null
        ? Any
        : string.Join(':', new[] { SourceType, Param, TargetType }.OfType<string>());
}
