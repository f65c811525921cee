using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Features.Patch;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Search.Query;
using Referral.Fhir.Features.Transactions;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Fhir.Api;

/// <summary>read, vread, create, update, patch and delete, plain and conditional, for every resource type.</summary>
public static class CrudEndpoints
{
    public static void MapCrud(this IEndpointRouteBuilder fhir)
    {
        fhir.MapGet("/{type}/{id}", ReadAsync);
        fhir.MapGet("/{type}/{id}/_history/{vid}", VReadAsync);
        fhir.MapPost("/{type}", CreateAsync);
        fhir.MapPut("/{type}/{id}", UpdateAsync);
        fhir.MapPut("/{type}", ConditionalUpdateAsync);
        fhir.MapMethods("/{type}/{id}", ["PATCH"], PatchAsync);
        fhir.MapDelete("/{type}/{id}", DeleteAsync);
        fhir.MapDelete("/{type}", ConditionalDeleteAsync);
    }

    private static async Task<IResult> ReadAsync(string type, string id, HttpContext context, ResourceStore store, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        var entity = await store.ReadAsync(type, id, ct);
        if (FhirRequest.ParseETag(context.Request.Headers.IfNoneMatch, "If-None-Match") == entity.VersionId)
        {
            return new FhirResult(StatusCodes.Status304NotModified, null, entity);
        }

        return new FhirResult(StatusCodes.Status200OK, null, entity) { RawJson = entity.Json };
    }

    private static async Task<IResult> VReadAsync(string type, string id, string vid, ResourceStore store, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        var entity = await store.VReadAsync(type, id, vid, ct);
        return new FhirResult(StatusCodes.Status200OK, null, entity) { RawJson = entity.Json };
    }

    private static async Task<IResult> CreateAsync(
        string type, HttpContext context, ResourceStore store, WriteUnit unit, SearchService search, IOptions<FhirOptions> options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        // Refuse before reading the body: a caller without the permission learns nothing from validation errors.
        store.Access.Demand(FhirInteraction.Create, type);
        var resource = await ReadResourceAsync(context, store.Serializer, options.Value, ct);
        ResourceTypes.RequireMatch(resource, type);
        var ifNoneExist = context.Request.Headers["If-None-Exist"].ToString();
        var index = store.PrepareIndex(resource);

        var (entity, created) = await unit.RunAsync(async token =>
        {
            if (ifNoneExist.Length > 0)
            {
                var existing = await ConditionalMatchAsync(store, search, type, ifNoneExist, "If-None-Exist", token);
                if (existing is not null)
                {
                    return (existing, false);
                }
            }

            return (store.StageCreate(resource, index: index), true);
        }, ct);

        return WriteResponse(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, entity, created ? resource : null);
    }

    private static async Task<IResult> UpdateAsync(
        string type, string id, HttpContext context, ResourceStore store, WriteUnit unit, IEnumerable<IUpdateHandler> handlers, IOptions<FhirOptions> options,
        CancellationToken ct)
    {
        ResourceTypes.Require(type);
        ResourceStore.ValidateId(id);
        var resource = await ReadResourceAsync(context, store.Serializer, options.Value, ct);
        ResourceTypes.RequireMatch(resource, type);
        if (string.IsNullOrEmpty(resource.Id))
        {
            throw new InvalidResourceException("An update must carry the resource id in the body.", "id");
        }

        if (resource.Id != id)
        {
            throw new InvalidResourceException($"The body has id '{resource.Id}' but the URL has '{id}'.", "id");
        }

        foreach (var handler in handlers)
        {
            if (await handler.TryHandleAsync(resource, id, context, ct) is { } handled)
            {
                return handled;
            }
        }

        var ifMatch = FhirRequest.IfMatchVersion(context);
        var index = store.PrepareIndex(resource);
        var (entity, created) = await unit.RunAsync(token => store.StageUpdateAsync(resource, id, ifMatch, "PUT", token, index), ct);
        return WriteResponse(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, entity, resource);
    }

    private static async Task<IResult> ConditionalUpdateAsync(
        string type, HttpContext context, ResourceStore store, WriteUnit unit, SearchService search, IOptions<FhirOptions> options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        var criteria = FhirRequest.SearchParameters(context.Request.Query);
        if (criteria.Count == 0)
        {
            throw new BadRequestException("A conditional update needs search criteria in the query string.");
        }

        var resource = await ReadResourceAsync(context, store.Serializer, options.Value, ct);
        ResourceTypes.RequireMatch(resource, type);
        var ifMatch = FhirRequest.IfMatchVersion(context);
        var index = store.PrepareIndex(resource);
        var (entity, created) = await unit.RunAsync(async token =>
        {
            var matches = await search.MatchAsync(store.Db, type, criteria, 2, token, store.Access);
            if (matches.Count > 1)
            {
                throw new PreconditionFailedException($"The conditional update criteria match more than one {type}.");
            }

            string id;
            if (matches.Count == 1)
            {
                id = matches[0].ResourceId;
                if (!string.IsNullOrEmpty(resource.Id) && resource.Id != id)
                {
                    throw new InvalidResourceException($"The body has id '{resource.Id}' but the criteria match {type}/{id}.", "id");
                }
            }
            else
            {
                id = string.IsNullOrEmpty(resource.Id) ? ResourceStore.NewId() : resource.Id;
            }

            return await store.StageUpdateAsync(resource, id, ifMatch, "PUT", token, index);
        }, ct);
        return WriteResponse(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, entity, resource);
    }

    private static async Task<IResult> PatchAsync(
        string type, string id, HttpContext context, ResourceStore store, WriteUnit unit, IOptions<FhirOptions> options, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        // Refused up front where the type cannot be changed at all, rather than a 404 from the read below.
        store.Access.Demand(FhirInteraction.Update, type);
        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/json-patch+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException("PATCH takes a JSON Patch document (Content-Type: application/json-patch+json).");
        }

        var patch = JsonPatchDocument.Parse(await FhirRequest.ReadBodyAsync(context.Request, options.Value.MaxBodyBytes, ct));
        var ifMatch = FhirRequest.IfMatchVersion(context);
        Resource? patched = null;
        var (entity, _) = await unit.RunAsync(async token =>
        {
            var current = await store.ReadAsync(type, id, token);
            patched = patch.ApplyTo(current.Json, type, id, store.Serializer);
            return await store.StageUpdateAsync(patched, id, ifMatch ?? current.VersionId, "PATCH", token);
        }, ct);
        return WriteResponse(context, StatusCodes.Status200OK, entity, patched);
    }

    private static async Task<IResult> DeleteAsync(string type, string id, HttpContext context, ResourceStore store, WriteUnit unit, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        var ifMatch = FhirRequest.IfMatchVersion(context);
        var tombstone = await unit.RunAsync(token => store.StageDeleteAsync(type, id, ifMatch, token), ct);
        return DeleteResponse(tombstone);
    }

    private static async Task<IResult> ConditionalDeleteAsync(
        string type, HttpContext context, ResourceStore store, WriteUnit unit, SearchService search, CancellationToken ct)
    {
        ResourceTypes.Require(type);
        // A caller who may not delete this type is refused even when nothing matches (not a 204 for finding nothing).
        store.Access.Demand(FhirInteraction.Delete, type);
        var criteria = FhirRequest.SearchParameters(context.Request.Query);
        if (criteria.Count == 0)
        {
            throw new BadRequestException("A conditional delete needs search criteria in the query string.");
        }

        var tombstone = await unit.RunAsync(async token =>
        {
            var matches = await search.MatchAsync(store.Db, type, criteria, 2, token, store.Access);
            return matches.Count switch
            {
                0 => null,
                1 => await store.StageDeleteAsync(type, matches[0].ResourceId, null, token),
                _ => throw new PreconditionFailedException($"The conditional delete criteria match more than one {type}."),
            };
        }, ct);
        return DeleteResponse(tombstone);
    }

    /// <summary>Finds the single resource a conditional header selects; 412 when it selects several.</summary>
    /// <param name="store">The caller's store.</param>
    /// <param name="search">Runs the criteria as a search.</param>
    /// <param name="type">The resource type searched.</param>
    /// <param name="query">The criteria, e.g. <c>identifier=system|value</c>.</param>
    /// <param name="header">Where the criteria came from, for messages.</param>
    /// <param name="ct">Cancels the search.</param>
    /// <param name="prefetched">A transaction's looked-up answers (<see cref="ConditionalPrefetch"/>), used when they cover the criteria.</param>
    internal static async Task<ResourceEntity?> ConditionalMatchAsync(
        ResourceStore store, SearchService search, string type, string query, string header, CancellationToken ct, ConditionalPrefetch? prefetched = null)
    {
        var criteria = FhirRequest.ParseCriteria(query);
        if (criteria.Count == 0)
        {
            throw new BadRequestException($"{header} must hold search criteria such as identifier=system|value.", header);
        }

        var matches = prefetched is not null && prefetched.TryMatch(type, criteria, out var known)
            ? known
            : await search.MatchAsync(store.Db, type, criteria, 2, ct, store.Access);
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new PreconditionFailedException($"{header} criteria '{query}' match more than one {type}.", header),
        };
    }

    private static async Task<Resource> ReadResourceAsync(HttpContext context, FhirSerializer serializer, FhirOptions options, CancellationToken ct)
    {
        var body = await FhirRequest.ReadBodyAsync(context.Request, options.MaxBodyBytes, ct);
        return serializer.Parse(body, FhirRequest.BodyFormat(context.Request, body));
    }

    /// <summary>Applies <c>Prefer: return</c> to the response of a write.</summary>
    public static IResult WriteResponse(HttpContext context, int status, ResourceEntity entity, Resource? resource)
    {
        var location = FhirUrls.Version(context, entity.ResourceType, entity.ResourceId, entity.VersionId);
        return FhirRequest.PreferReturn(context) switch
        {
            "minimal" => new FhirResult(status, null, entity, location),
            "OperationOutcome" => new FhirResult(status, new OperationOutcome
            {
                Issue = [new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Information,
                    Code = OperationOutcome.IssueType.Informational,
                    Diagnostics = $"{entity.ResourceType}/{entity.ResourceId} version {entity.VersionId} stored.",
                }],
            }, entity, location),
            _ => resource is null
                ? new FhirResult(status, null, entity, location) { RawJson = entity.Json }
                : new FhirResult(status, resource, entity, location),
        };
    }

    private static IResult DeleteResponse(ResourceEntity? tombstone) =>
        tombstone is null ? Results.NoContent() : new FhirResult(StatusCodes.Status204NoContent, null, tombstone);
}
