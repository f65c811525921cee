namespace Referral.Fhir.Features.Search.Query;

/// <summary>One <c>_sort</c> key; <see cref="Parameter"/> is null for the resource-row columns <c>_id</c> and <c>_lastUpdated</c>.</summary>
internal sealed record SortKey(string Code, bool Descending, SearchParameterInfo? Parameter)
{
    public override string ToString() => Descending ? "-" + Code : Code;
}
