using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.SeparateStores;
using Referral.Persistence;

namespace Referral.Fhir.Api;

/// <summary>Type-level search by GET and by POST <c>_search</c>, answered with a searchset Bundle.</summary>
public static class SearchEndpoints
{
    public static void MapSearch(this IEndpointRouteBuilder fhir)
    {
        // System-level search: every type, or the ones _type lists (which makes their own parameters usable).
        fhir.MapGet("/", (HttpContext c, FhirDbContext db, SearchService s, IFhirAccessPolicy a, [FromServices] IEnumerable<ISeparateResourceStore> x, CancellationToken ct) =>
            SearchAsync(null, FhirRequest.SearchParameters(c.Request.Query), c, db, s, a, x, ct));
        fhir.MapGet("/{type}", (string type, HttpContext c, FhirDbContext db, SearchService s, IFhirAccessPolicy a, [FromServices] IEnumerable<ISeparateResourceStore> x, CancellationToken ct) =>
            SearchAsync(type, FhirRequest.SearchParameters(c.Request.Query), c, db, s, a, x, ct));
        fhir.MapPost("/{type}/_search", async (string type, HttpContext c, FhirDbContext db, SearchService s, IFhirAccessPolicy a, [FromServices] IEnumerable<ISeparateResourceStore> x, CancellationToken ct) =>
        {
            var parameters = FhirRequest.SearchParameters(c.Request.Query);
            if (c.Request.HasFormContentType)
            {
                var form = await c.Request.ReadFormAsync(ct);
                parameters.AddRange(FhirRequest.SearchParameters(form));
            }

            return await SearchAsync(type, parameters, c, db, s, a, x, ct);
        });
    }

    private static async Task<IResult> SearchAsync(
        string? type, List<KeyValuePair<string, string>> parameters, HttpContext context, FhirDbContext db, SearchService search, IFhirAccessPolicy access,
        IEnumerable<ISeparateResourceStore> separate, CancellationToken ct)
    {
        if (type is not null)
        {
            ResourceTypes.Require(type);
        }

        var result = await search.SearchAsync(db, type, parameters, FhirRequest.StrictHandling(context), ct, access, [.. separate]);
        return ToBundle(context, type is null ? FhirUrls.Base(context) : $"{FhirUrls.Base(context)}/{type}", result);
    }

    /// <summary>The searchset Bundle of a result: matches, then included resources, with self/next/previous links.</summary>
    public static BundleResult ToBundle(HttpContext context, string selfBase, SearchResult result)
    {
        string Link(int offset)
        {
            var query = result.AppliedParameters
                .Where(p => p.Key is not ("_offset" or "_count"))
                .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
                .Append($"_count={result.Count.ToString(CultureInfo.InvariantCulture)}")
                .Append($"_offset={offset.ToString(CultureInfo.InvariantCulture)}");
            return $"{selfBase}?{string.Join('&', query)}";
        }

        var links = new List<(string, string)> { ("self", Link(result.Offset)) };
        // _summary=count returns no entries, so there is nothing to page through.
        if (result.HasMore && result.Summary != "count")
        {
            links.Add(("next", Link(result.Offset + result.Count)));
        }

        if (result.Offset > 0)
        {
            links.Add(("previous", Link(Math.Max(0, result.Offset - result.Count))));
        }

        var entries = result.Matches.Select(e => new BundleEntryVersion(e, Bundle.SearchEntryMode.Match))
            .Concat(result.Included.Select(e => new BundleEntryVersion(e, Bundle.SearchEntryMode.Include)))
            .ToList();
        return new BundleResult(Bundle.BundleType.Searchset, result.Total, links, entries)
        {
            Outcome = result.IgnoredParameters.Count == 0 ? null : new OperationOutcome
            {
                Issue = [.. result.IgnoredParameters.Select(p => new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Warning,
                    Code = OperationOutcome.IssueType.NotSupported,
                    Diagnostics = $"Search parameter '{p}' is not supported for {context.Request.RouteValues["type"] ?? "a search across all types"} and was ignored.",
                    Expression = [p],
                })],
            },
            Filter = FhirResult.SummaryFilter(result.Summary is "count" ? null : result.Summary, result.Elements is null ? null : string.Join(',', result.Elements)),
        };
    }
}
