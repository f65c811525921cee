using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
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

    /// <summary>The resource type the request URL names; empty for a system-level read (<c>?_type=…</c>, <c>_history</c>).</summary>
    public string Type { get; }

    public bool IsSystemLevel => Type.Length == 0;

    /// <summary>The id in a <c>Type/id</c> request URL; null for conditional, type-level or system-level URLs.</summary>
    public string? Id { get; private init; }

    /// <summary>The version of a vread (<c>Type/id/_history/vid</c>).</summary>
    public string? Version { get; private init; }

    /// <summary>A history read: <c>_history</c>, <c>Type/_history</c> or <c>Type/id/_history</c>.</summary>
    public bool IsHistory { get; private init; }

    /// <summary>The request URL's path relative to the base, e.g. <c>Patient/1/_history</c>: what a returned Bundle's links page.</summary>
    public string Path { get; private init; } = "";

    /// <summary>The request URL's query, as a request's own query string is read (history paging).</summary>
    public IQueryCollection Query { get; private init; } = QueryCollection.Empty;

    /// <summary>The query of a <c>Type?criteria</c> request URL.</summary>
    public List<KeyValuePair<string, string>> Criteria { get; private init; } = [];

    /// <summary>The request URL's query as written in the entry, without the <c>?</c>: what its audit record names.</summary>
    public string QueryString { get; private init; } = "";

    public string? FullUrl => Entry.FullUrl;

    public Resource? Resource => Entry.Resource;

    public string? IfNoneExist => Entry.Request?.IfNoneExist;

    public int? IfMatch { get; private init; }

    public string? AssignedId { get; set; }

    /// <summary>The resource a conditional create found instead of creating one.</summary>
    public ResourceEntity? Existing { get; set; }

    /// <summary>The searchset or history Bundle a GET entry answers with.</summary>
    public Bundle? ResultBundle { get; set; }

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
        var pathPart = (queryAt >= 0 ? url[..queryAt] : url).Trim('/');
        var query = queryAt >= 0 ? url[(queryAt + 1)..] : "";
        var segments = pathPart.Split('/');
        var reads = method is Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD;
        var systemLevel = reads && segments is [""] or ["_history"];
        var type = systemLevel ? "" : segments[0];
        if (!systemLevel && !ResourceTypes.IsKnown(type))
        {
            throw new InvalidResourceException($"'{type}' in request.url is not a FHIR R4 resource type.", $"{path}.url");
        }

        // Entries address a type or one resource, and reads also their history and versions; anything else
        // (Patient/../../x) was silently treated as Type/id before, so a DELETE hit the wrong resource.
        var history = systemLevel ? segments[0] == "_history" : reads && segments is [_, "_history"] or [_, _, "_history"] or [_, _, "_history", _];
        if (!systemLevel && !history && segments.Length > 2)
        {
            throw new InvalidResourceException(
                $"request.url '{(url.Length > 100 ? url[..100] : url)}' must be {(reads ? "[Type][/id][/_history[/vid]][?criteria]" : "Type, Type/id or Type?criteria")}.", $"{path}.url");
        }

        var id = systemLevel || segments is [_] or [_, "_history"] ? null : segments[1];
        if (id is not null)
        {
            ResourceStore.ValidateId(id);
        }

        if (entry.Resource is { } resource && method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT && resource.TypeName != type)
        {
            throw new InvalidResourceException($"The entry's resource is a {resource.TypeName} but request.url is for {type}.", $"Bundle.entry[{index}].resource");
        }

        return new TransactionEntry(index, entry, method, type)
        {
            Id = id,
            Version = segments is [_, _, "_history", var version] ? version : null,
            IsHistory = history && segments.Length < 4,
            Path = pathPart,
            Query = new QueryCollection(QueryHelpers.ParseQuery(query)),
            QueryString = query,
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

    /// <summary>An unexpected error ended the Bundle while this entry ran: nothing it did was kept, and it has no answer of its own.</summary>
    public void Abandon()
    {
        _status = default;
        _result = null;
        _error = null;
    }

    /// <summary>The restful-interaction code of the entry's request, the one the same request outside a Bundle is audited with.</summary>
    public string InteractionCode => Method switch
    {
        Bundle.HTTPVerb.POST => "create",
        Bundle.HTTPVerb.PUT => "update",
        Bundle.HTTPVerb.PATCH => "patch",
        Bundle.HTTPVerb.DELETE => "delete",
        _ when Version is not null => "vread",
        _ when IsHistory => IsSystemLevel ? "history-system" : Id is null ? "history-type" : "history-instance",
        _ when Id is not null => "read",
        _ => IsSystemLevel ? "search-system" : "search-type",
    };

    /// <summary>
    /// The entry as an audited interaction: the resource its URL names, else the one it wrote (a create's new id and
    /// version, what a conditional update or delete matched), and the status it answered. With
    /// <paramref name="rolledBack"/> (its transaction failed as a whole) nothing it did was kept, so it names only what
    /// its URL names and has no status of its own: it is recorded with the status the transaction answered.
    /// </summary>
    public EntryInteraction ToInteraction(bool rolledBack)
    {
        int? status = rolledBack ? null : _error is { } error ? (int)error.Status : _status == default ? null : (int)_status;
        var type = IsSystemLevel ? null : Type;
        if (Id is not null)
        {
            return new EntryInteraction(InteractionCode, type, Id, Version, QueryString, status);
        }

        return status is >= 200 and < 300 && _result is { } written
            ? new EntryInteraction(InteractionCode, written.ResourceType, written.ResourceId, written.VersionId.ToString(CultureInfo.InvariantCulture), QueryString, status)
            : new EntryInteraction(InteractionCode, type, null, null, QueryString, status);
    }

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
        if (ResultBundle is not null)
        {
            component.Resource = ResultBundle;
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
