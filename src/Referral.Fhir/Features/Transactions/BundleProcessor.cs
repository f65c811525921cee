using System.Net;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Referral.Fhir.Api;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Patch;
using Referral.Fhir.Features.Persistence;
using Referral.Fhir.Features.Search.Query;
using Task = System.Threading.Tasks.Task;

namespace Referral.Fhir.Features.Transactions;

/// <summary>
/// Processes <c>transaction</c> Bundles (atomically, in the spec's order DELETE, POST, PUT/PATCH, GET, with
/// <c>urn:uuid</c> and conditional references resolved) and <c>batch</c> Bundles (each entry on its own). GET entries
/// are answered by <see cref="BundleReads"/>. What each entry did is told to <see cref="IBundleEntryAudit"/> when the
/// audit trail is on.
/// </summary>
public sealed class BundleProcessor(
    ResourceStore store, WriteUnit unit, SearchService search, BundleReads reads, IOptions<FhirOptions> options, IBundleEntryAudit? audit = null)
{
    /// <summary>
    /// Processes the Bundle. <paramref name="alongside"/> stages extra rows in the same database transaction as a
    /// transaction Bundle's entries (run again if the unit is retried), e.g. an inbox record of the delivery.
    /// </summary>
    public async Task<Bundle> ProcessAsync(Bundle bundle, HttpContext context, CancellationToken ct, Func<CancellationToken, Task>? alongside = null)
    {
        if (bundle.Type is not ({ } type and (Bundle.BundleType.Transaction or Bundle.BundleType.Batch)))
        {
            throw new InvalidResourceException("Only Bundles of type transaction or batch can be posted to the base URL.", "Bundle.type");
        }

        var transaction = type == Bundle.BundleType.Transaction;
        var entries = new List<TransactionEntry>(Math.Min(bundle.Entry.Count, options.Value.MaxBundleEntries));
        var completed = false;
        try
        {
            if (bundle.Entry.Count > options.Value.MaxBundleEntries)
            {
                // Refused before any entry is read: the Bundle's own audit record (400) answers for all of them, rather
                // than an oversized Bundle writing thousands of audit records for work the node never began.
                throw new InvalidResourceException($"The Bundle has {bundle.Entry.Count} entries; the limit is {options.Value.MaxBundleEntries}.", "Bundle.entry");
            }

            ReadEntries(bundle, entries);
            var response = transaction ? await TransactionAsync(entries, context, alongside, ct) : await BatchAsync(entries, context, ct);
            completed = true;
            return response;
        }
        finally
        {
            // Every entry is audited as its own interaction, whatever happened. A batch entry keeps its own outcome (one
            // it never reached, after an unexpected error, takes the request's status). A transaction happens whole or
            // not at all: when it fails, no entry's work was kept, so each is recorded as an attempt with the status the
            // transaction answered (the failing entry's own error, or the error that stopped it), and creates name no id.
            audit?.Processed(context, type, [.. entries.Select(e => e.ToInteraction(rolledBack: transaction && !completed))]);
        }
    }

    /// <summary>
    /// Reads every entry's request. A malformed one refuses the whole Bundle with its error; the entries read before and
    /// after it are still audited, as attempts with that status, while the malformed one names no interaction to audit
    /// and is answered for by the Bundle's own record.
    /// </summary>
    private static void ReadEntries(Bundle bundle, List<TransactionEntry> entries)
    {
        FhirException? malformed = null;
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            try
            {
                entries.Add(TransactionEntry.From(bundle.Entry[i], i));
            }
            catch (FhirException e)
            {
                malformed ??= e;
            }
        }

        if (malformed is not null)
        {
            throw malformed;
        }
    }

    private async Task<Bundle> TransactionAsync(List<TransactionEntry> entries, HttpContext context, Func<CancellationToken, Task>? alongside, CancellationToken ct)
    {
        var duplicate = entries.Where(e => e.FullUrl is not null).GroupBy(e => e.FullUrl).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidResourceException($"fullUrl '{duplicate.Key}' appears more than once in the transaction.", $"Bundle.entry[{duplicate.Last().Index}].fullUrl");
        }

        foreach (var entry in entries)
        {
            RefuseSeparateStoreWrite(entry);
        }

        return await unit.RunAsync(async token =>
        {
            if (alongside is not null)
            {
                await alongside(token);
            }

            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in entries.Where(e => e.Method == Bundle.HTTPVerb.DELETE))
            {
                await DeleteAsync(entry, token);
            }

            await store.SaveAsync(token);
            var prefetched = await ConditionalPrefetch.LoadAsync(store, entries, token);
            foreach (var entry in entries.Where(e => e.Method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT))
            {
                await AssignIdAsync(entry, ids, token, prefetched);
            }

            foreach (var entry in entries.Where(e => e.Resource is not null && e.Method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT))
            {
                await RewriteReferencesAsync(entry, ids, token);
            }

            // Index extraction (FHIRPath over every parameter) is most of a write's work: with references final, run
            // it for all entries at once on every core rather than one entry after another under the write lock.
            var writes = entries.Where(e => e.Method is Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT).ToList();
            var indexes = new PreparedIndex?[writes.Count];
            Parallel.For(0, writes.Count, i => indexes[i] = writes[i] is { Existing: null, Resource: { } resource } ? store.PrepareIndex(resource) : null);
            for (var i = 0; i < writes.Count; i++)
            {
                await WriteAsync(writes[i], indexes[i], token);
            }

            await store.SaveAsync(token);
            foreach (var entry in entries.Where(e => e.Method == Bundle.HTTPVerb.PATCH))
            {
                await PatchAsync(entry, token);
            }

            await store.SaveAsync(token);
            foreach (var entry in entries.Where(e => e.Method is Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD))
            {
                await reads.AnswerAsync(entry, context, token);
            }

            return Response(Bundle.BundleType.TransactionResponse, entries, context);
        }, ct);
    }

    private async Task<Bundle> BatchAsync(List<TransactionEntry> entries, HttpContext context, CancellationToken ct)
    {
        foreach (var entry in entries)
        {
            try
            {
                RefuseSeparateStoreWrite(entry);
                await unit.RunAsync(async token =>
                {
                    var ids = new Dictionary<string, string>(StringComparer.Ordinal);
                    switch (entry.Method)
                    {
                        case Bundle.HTTPVerb.DELETE:
                            await DeleteAsync(entry, token);
                            break;
                        case Bundle.HTTPVerb.POST or Bundle.HTTPVerb.PUT:
                            await AssignIdAsync(entry, ids, token);
                            await RewriteReferencesAsync(entry, ids, token);
                            await WriteAsync(entry, null, token);
                            break;
                        case Bundle.HTTPVerb.PATCH:
                            await PatchAsync(entry, token);
                            break;
                        default:
                            await reads.AnswerAsync(entry, context, token);
                            break;
                    }

                    return true;
                }, ct);
            }
            catch (FhirException e)
            {
                entry.Fail(e);
            }
            catch
            {
                // Not an answer for the entry (it may have staged a write that was then rolled back): audited with the request's status.
                entry.Abandon();
                throw;
            }
        }

        return Response(Bundle.BundleType.BatchResponse, entries, context);
    }

    private async Task DeleteAsync(TransactionEntry entry, CancellationToken ct)
    {
        if (entry.Id is not null)
        {
            var tombstone = await store.StageDeleteAsync(entry.Type, entry.Id, entry.IfMatch, ct);
            entry.Done(HttpStatusCode.NoContent, tombstone);
            return;
        }

        var matches = await search.MatchAsync(store.Db, entry.Type, entry.Criteria, 2, ct, store.Access);
        if (matches.Count > 1)
        {
            throw entry.Error(new PreconditionFailedException($"The conditional delete criteria match more than one {entry.Type}."));
        }

        entry.Done(HttpStatusCode.NoContent, matches.Count == 1 ? await store.StageDeleteAsync(entry.Type, matches[0].ResourceId, null, ct) : null);
    }

    /// <summary>Decides the id each POST/PUT entry will have, so references between entries can be rewritten first.</summary>
    private async Task AssignIdAsync(TransactionEntry entry, Dictionary<string, string> ids, CancellationToken ct, ConditionalPrefetch? prefetched = null)
    {
        var resource = entry.RequireResource();
        if (entry.Method == Bundle.HTTPVerb.POST)
        {
            if (entry.IfNoneExist is not null)
            {
                var existing = await CrudEndpoints.ConditionalMatchAsync(
                    store, search, entry.Type, entry.IfNoneExist, $"Bundle.entry[{entry.Index}].request.ifNoneExist", ct, prefetched);
                if (existing is not null)
                {
                    entry.Existing = existing;
                    entry.AssignedId = existing.ResourceId;
                }
            }

            entry.AssignedId ??= ResourceStore.NewId();
        }
        else if (entry.Id is not null)
        {
            if (!string.IsNullOrEmpty(resource.Id) && resource.Id != entry.Id)
            {
                throw entry.Error(new InvalidResourceException($"The resource id '{resource.Id}' differs from the request URL id '{entry.Id}'.", $"Bundle.entry[{entry.Index}].resource.id"));
            }

            entry.AssignedId = entry.Id;
        }
        else
        {
            var matches = prefetched is not null && prefetched.TryMatch(entry.Type, entry.Criteria, out var known)
                ? known
                : await search.MatchAsync(store.Db, entry.Type, entry.Criteria, 2, ct, store.Access);
            if (matches.Count > 1)
            {
                throw entry.Error(new PreconditionFailedException($"The conditional update criteria match more than one {entry.Type}."));
            }

            entry.AssignedId = matches.Count == 1 ? matches[0].ResourceId : string.IsNullOrEmpty(resource.Id) ? ResourceStore.NewId() : resource.Id;
        }

        if (entry.FullUrl is not null)
        {
            ids[entry.FullUrl] = $"{entry.Type}/{entry.AssignedId}";
        }
    }

    private async Task RewriteReferencesAsync(TransactionEntry entry, Dictionary<string, string> ids, CancellationToken ct)
    {
        foreach (var reference in ReferenceRewriter.References(entry.RequireResource()))
        {
            var target = reference.Reference;
            if (string.IsNullOrEmpty(target) || target.StartsWith('#'))
            {
                continue;
            }

            if (ids.TryGetValue(target, out var assigned))
            {
                reference.Reference = assigned;
            }
            else if (target.StartsWith("urn:uuid:", StringComparison.Ordinal) || target.StartsWith("urn:oid:", StringComparison.Ordinal))
            {
                throw entry.Error(new InvalidResourceException($"Reference '{target}' points to no entry of this transaction.", $"Bundle.entry[{entry.Index}].resource"));
            }
            else if (target.IndexOf('?', StringComparison.Ordinal) is var q and > 0 && ResourceTypes.IsKnown(target[..q]))
            {
                reference.Reference = await ResolveConditionalReferenceAsync(entry, target[..q], target[(q + 1)..], ct);
            }
        }
    }

    private async Task<string> ResolveConditionalReferenceAsync(TransactionEntry entry, string type, string query, CancellationToken ct)
    {
        var criteria = FhirRequest.ParseCriteria(query);
        var matches = await search.MatchAsync(store.Db, type, criteria, 2, ct, store.Access);
        return matches.Count switch
        {
            1 => $"{type}/{matches[0].ResourceId}",
            0 => throw entry.Error(new InvalidResourceException($"Conditional reference '{type}?{query}' matches no resource.", $"Bundle.entry[{entry.Index}].resource", HttpStatusCode.NotFound)),
            _ => throw entry.Error(new PreconditionFailedException($"Conditional reference '{type}?{query}' matches more than one resource.")),
        };
    }

    private async Task WriteAsync(TransactionEntry entry, PreparedIndex? index, CancellationToken ct)
    {
        var resource = entry.RequireResource();
        if (entry.Existing is not null)
        {
            entry.Done(HttpStatusCode.OK, entry.Existing);
            return;
        }

        try
        {
            if (entry.Method == Bundle.HTTPVerb.POST)
            {
                entry.Done(HttpStatusCode.Created, store.StageCreate(resource, entry.AssignedId!, index));
                return;
            }

            var (entity, created) = await store.StageUpdateAsync(resource, entry.AssignedId!, entry.IfMatch, "PUT", ct, index);
            entry.Done(created ? HttpStatusCode.Created : HttpStatusCode.OK, entity);
        }
        catch (InvalidResourceException e)
        {
            // A resource that breaks its profile: say which entry.
            throw entry.Error(e);
        }
    }

    private async Task PatchAsync(TransactionEntry entry, CancellationToken ct)
    {
        if (entry.Resource is not Binary { Data: not null } binary)
        {
            throw entry.Error(new InvalidResourceException("A PATCH entry carries its JSON Patch as a Binary resource.", $"Bundle.entry[{entry.Index}].resource"));
        }

        if (entry.Id is null)
        {
            throw entry.Error(new BadRequestException("A PATCH entry needs a Type/id request URL.", $"Bundle.entry[{entry.Index}].request.url"));
        }

        var current = await store.ReadAsync(entry.Type, entry.Id, ct);
        var patched = JsonPatchDocument.Parse(binary.Data).ApplyTo(current.Json, entry.Type, entry.Id, store.Serializer, $"Bundle.entry[{entry.Index}].resource");

        try
        {
            var (entity, _) = await store.StageUpdateAsync(patched, entry.Id, entry.IfMatch ?? current.VersionId, "PATCH", ct);
            entry.Done(HttpStatusCode.OK, entity);
        }
        catch (InvalidResourceException e)
        {
            throw entry.Error(e);
        }
    }

    /// <summary>
    /// A separately stored type (the audit trail) is only ever written by the node itself. Refused here rather than left
    /// to the access policy, so a conditional delete or a patch cannot pass as a harmless no-op against the FHIR store.
    /// </summary>
    private void RefuseSeparateStoreWrite(TransactionEntry entry)
    {
        if (entry.Method is not (Bundle.HTTPVerb.GET or Bundle.HTTPVerb.HEAD) && reads.SeparateStoreOf(entry) is { } separate)
        {
            throw entry.Error(new MethodNotAllowedException(
                $"{separate.ResourceType} resources are written by the node itself; they cannot be created, changed or deleted through the API.",
                $"Bundle.entry[{entry.Index}].request.method"));
        }
    }

    private Bundle Response(Bundle.BundleType type, List<TransactionEntry> entries, HttpContext context)
    {
        var representation = FhirRequest.PreferReturn(context) == "representation" && context.Request.Headers.ContainsKey("Prefer");
        var response = new Bundle { Id = Guid.NewGuid().ToString("D"), Type = type, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        foreach (var entry in entries)
        {
            response.Entry.Add(entry.ToResponse(context, store, representation));
        }

        return response;
    }
}
