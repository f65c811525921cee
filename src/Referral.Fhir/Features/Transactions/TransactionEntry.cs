using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Persistence;
using Referral.Persistence;

namespace Referral.Fhir.Features.Transactions;

/// <summary>One Bundle entry as the processor sees it: its parsed request, and the outcome once processed.</summary>
public sealed class TransactionEntry
{
    private HttpStatusCode _status;
    private ResourceEntity? _result;
    private bool _withResource;
    private FhirException? _error;

    private TransactionEntry(int index, Bundle.EntryComponent entry, Bundle.HTTPVerb method, string type)
    {
        Index = index;
        Entry = entry;
        Method = method;
        Type = type;
    }

    public int Index { get; }

    public Bundle.EntryComponent Entry { get; }

    public Bundle.HTTPVerb Method { get; }

    public string Type { get; }

    /// <summary>The id in a <c>Type/id</c> request URL; null for conditional or type-level URLs.</summary>
    public string? Id { get; private init; }

    /// <summary>The query of a <c>Type?criteria</c> request URL.</summary>
    public List<KeyValuePair<string, string>> Criteria { get; private init; } = [];

    public string? FullUrl => Entry.FullUrl;

    public Resource? Resource => Entry.Resource;

    public string? IfNoneExist => Entry.Request?.IfNoneExist;

    public int? IfMatch { get; private init; }

    public string? AssignedId { get; set; }

    /// <summary>The resource a conditional create found instead of creating one.</summary>
    public ResourceEntity? Existing { get; set; }

    public Bundle? SearchResult { get; set; }

    public static TransactionEntry From(Bundle.EntryComponent entry, int index)
    {
        var path = $"Bundle.entry[{index}].request";
        if (entry.Request?.Method is not { } method || string.IsNullOrWhiteSpace(entry.Request.Url))
        {
            throw new InvalidResourceException("Every entry needs request.method and request.url.", path);
        }

        var url = entry.Request.Url;
        var baseAt = url.IndexOf("/fhir/", StringComparison.Ordinal);
        if (Uri.IsWellFormedUriString(url, UriKind.Absolute) && baseAt >= 0)
        {
            url = url[(baseAt + "/fhir/".Length)..];
        }

        var queryAt = url.IndexOf('?', StringComparison.Ordinal);
        var pathPart = queryAt >= 0 ? url[..queryAt] : url;
        var query = queryAt >= 0 ? url[(queryAt + 1)..] : "";
        var segments = pathPart.Trim('/').Split('/');
        var type = segments[0];
        if (!ResourceTypes.IsKnown(type))
        {
            throw new InvalidResourceException($"'{type}' in request.url is not a FHIR R4 resource type.", $"{path}.url");
        }

        if (segments.Length > 2)
        {
            // Entries address a type or one resource; anything longer (Patient/../../x, Patient/1/_history/2) was
            // silently treated as Type/id before, so a vread ran as a read and a DELETE hit the wrong resource.
            throw new InvalidResourceException(
                $"request.url '{(url.Length > 100 ? url[..100] : url)}' must be Type, Type/id or Type?criteria.", $"{path}.url");
        }

        if (segments.Length > 1)
        {
            ResourceStore.ValidateId(segments[1]);
        }

        if (entry.Resource is { } resource && method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT && resource.TypeName != type)
        {
            throw new InvalidResourceException($"The entry's resource is a {resource.TypeName} but request.url is for {type}.", $"Bundle.entry[{index}].resource");
        }

        return new TransactionEntry(index, entry, method, type)
        {
            Id = segments.Length > 1 ? segments[1] : null,
            Criteria = FhirRequest.ParseCriteria(query),
            IfMatch = entry.Request.IfMatch is { Length: > 0 } ifMatch ? FhirRequest.ParseETag(ifMatch, $"{path}.ifMatch") : null,
        };
    }

    public Resource RequireResource() =>
        Resource ?? throw new InvalidResourceException($"A {Method} entry needs a resource.", $"Bundle.entry[{Index}].resource");

    public void Done(HttpStatusCode status, ResourceEntity? result, bool withResource = false)
    {
        _status = status;
        _result = result;
        _withResource = withResource;
    }

    public void Fail(FhirException error) => _error = error;

    /// <summary>Tags an error with the entry it came from, so a failed transaction says which entry failed.</summary>
    public FhirException Error(FhirException error)
    {
        var issues = error.Issues.Select(i =>
        {
            var copy = (OperationOutcome.IssueComponent)i.DeepCopy();
            copy.Diagnostics = $"Entry {Index} ({Method} {Entry.Request?.Url}): {i.Diagnostics}";
            return copy;
        }).ToList();
        return new FhirException(error.Status, issues);
    }

    public Bundle.EntryComponent ToResponse(HttpContext context, ResourceStore store, bool representation)
    {
        if (_error is not null)
        {
            return new Bundle.EntryComponent
            {
                Response = new Bundle.ResponseComponent
                {
                    Status = ((int)_error.Status).ToString(CultureInfo.InvariantCulture),
                    Outcome = _error.ToOperationOutcome(),
                },
            };
        }

        var response = new Bundle.ResponseComponent { Status = $"{(int)_status} {_status}" };
        var component = new Bundle.EntryComponent { Response = response };
        if (SearchResult is not null)
        {
            component.Resource = SearchResult;
        }

        if (_result is { } r)
        {
            component.FullUrl = FhirUrls.Resource(context, r.ResourceType, r.ResourceId);
            response.Location = $"{r.ResourceType}/{r.ResourceId}/_history/{r.VersionId.ToString(CultureInfo.InvariantCulture)}";
            response.Etag = FhirResult.WeakETag(r.VersionId);
            response.LastModified = r.LastUpdated;
            if (!r.IsDeleted && (representation || _withResource))
            {
                component.Resource = store.ToResource(r);
            }
        }

        return component;
    }
}
