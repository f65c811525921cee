using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir;
using Referral.Fhir.Errors;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Query;
using Referral.Identity.Access;

namespace Referral.Identity.Audit;

/// <summary>One page of the audit trail, with what the search applied and skipped.</summary>
public sealed record AuditTrailPage(
    IReadOnlyList<AuditRecord> Records,
    int? Total,
    int Offset,
    int Count,
    bool HasMore,
    IReadOnlyList<KeyValuePair<string, string>> Applied,
    IReadOnlyList<string> Ignored,
    string? Summary,
    IReadOnlyList<string>? Elements);

/// <summary>
/// AuditEvent search over the audit trail, with every R4 AuditEvent search parameter
/// (https://hl7.org/fhir/R4/auditevent.html#search) answered from the trail's columns: comma-separated values are
/// alternatives, repeated parameters all apply, and the usual modifiers (<c>:missing</c>, <c>:not</c> on tokens,
/// <c>:exact</c>/<c>:contains</c> on strings, <c>:identifier</c> on agent) work. <c>entity-name</c> and <c>policy</c>
/// are never recorded, so a value for them matches nothing. Chains on <c>patient</c>, <c>entity</c> and <c>agent</c>
/// (<c>patient.identifier=…</c>, <c>entity:Patient.family=…</c>) are resolved in the FHIR store by
/// <see cref="AuditChainTargets"/> and match the records naming what they found. Includes are not supported: ignored
/// and reported under lenient handling, 400 under strict.
/// </summary>
public sealed class AuditTrailSearch(FhirOptions fhir, NodeOptions node)
{
    /// <summary>More targets than this make a chain too broad to filter the trail by (a 400 naming the parameter).</summary>
    public const int MaxChainTargets = 1000;

    /// <summary>The reference parameters the trail can follow: to chains, <c>_has</c> and <c>_revinclude</c>.</summary>
    public static readonly IReadOnlyList<string> ReferenceParameters = ["agent", "entity", "patient"];

    private const string ActionSystem = "http://hl7.org/fhir/audit-event-action";
    private const string OutcomeSystem = "http://hl7.org/fhir/audit-event-outcome";

    public async Task<AuditTrailPage> SearchAsync(
        IQueryable<AuditRecord> records, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, AuditChainTargets chains, CancellationToken ct)
    {
        var search = await ParseAsync(records, parameters, strict, chains, ct);
        int? matches = search.WithTotal ? await search.Records.CountAsync(ct) : null;
        if (search.Summary == "count")
        {
            return new AuditTrailPage([], matches, search.Offset, search.Count, false, search.Applied, search.Ignored, search.Summary, search.Elements);
        }

        var page = await search.Ordered().AsNoTracking().Skip(search.Offset).Take(search.Count + 1).ToListAsync(ct);
        var hasMore = page.Count > search.Count;
        return new AuditTrailPage(
            hasMore ? page.GetRange(0, search.Count) : page, matches, search.Offset, search.Count, hasMore, search.Applied, search.Ignored, search.Summary, search.Elements);
    }

    /// <summary>
    /// When the first <paramref name="take"/> matches were recorded, in the search's order (<c>_offset</c> and
    /// <c>_count</c> do not apply): enough to merge the trail's matches with another source's by time.
    /// </summary>
    public async Task<IReadOnlyList<long>> TicksAsync(
        IQueryable<AuditRecord> records, IReadOnlyList<KeyValuePair<string, string>> parameters, int take, AuditChainTargets chains, CancellationToken ct)
    {
        var search = await ParseAsync(records, parameters, strict: true, chains, ct);
        return await search.Ordered().Select(r => r.RecordedTicks).Take(take).ToListAsync(ct);
    }

    private async Task<ParsedSearch> ParseAsync(
        IQueryable<AuditRecord> records, IReadOnlyList<KeyValuePair<string, string>> parameters, bool strict, AuditChainTargets chains, CancellationToken ct)
    {
        var count = fhir.DefaultPageSize;
        var offset = 0;
        var descending = false;
        var withTotal = true;
        string? summary = null;
        IReadOnlyList<string>? elements = null;
        var applied = new List<KeyValuePair<string, string>>();
        var ignored = new List<string>();
        foreach (var (key, value) in parameters)
        {
            var (code, modifier) = Split(key);
            try
            {
                switch (code)
                {
                    case "_count":
                        count = Math.Min(SearchControls.NonNegative(key, value), fhir.MaxPageSize);
                        continue;
                    case "_offset":
                        offset = SearchControls.NonNegative(key, value);
                        continue;
                    case "_sort":
                        descending = SortDescending(value);
                        break;
                    case "_total":
                        withTotal = SearchControls.Total(key, value) != TotalMode.None;
                        break;
                    case "_summary":
                        summary = SearchControls.Summary(key, value);
                        break;
                    case "_elements":
                        elements = SearchControls.Elements(value);
                        break;
                    default:
                        records = records.Where(await FilterAsync(key, value, chains, ct));
                        break;
                }

                applied.Add(new(key, value));
            }
            catch (UnsupportedSearchParameterException e)
            {
                if (strict)
                {
                    throw new BadRequestException(e.Message, key);
                }

                ignored.Add($"{key}={value}");
            }
        }

        return new ParsedSearch(records, count, offset, descending, withTotal, summary, elements, applied, ignored);
    }

    /// <summary>A search's matching records and result controls, before anything is queried.</summary>
    private sealed record ParsedSearch(
        IQueryable<AuditRecord> Records, int Count, int Offset, bool Descending, bool WithTotal, string? Summary, IReadOnlyList<string>? Elements,
        List<KeyValuePair<string, string>> Applied, List<string> Ignored)
    {
        public IOrderedQueryable<AuditRecord> Ordered() => Descending
            ? Records.OrderByDescending(r => r.RecordedTicks).ThenByDescending(r => r.Id)
            : Records.OrderBy(r => r.RecordedTicks).ThenBy(r => r.Id);
    }

    /// <summary>One filter parameter (<c>name[:modifier]</c> or a chain) as a condition on records.</summary>
    /// <exception cref="UnsupportedSearchParameterException">The trail does not know the parameter, modifier or chain.</exception>
    public async Task<Expression<Func<AuditRecord, bool>>> FilterAsync(string key, string value, AuditChainTargets chains, CancellationToken ct)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            var (code, modifier) = Split(key);
            return Filter(code, modifier, key, value);
        }

        var (head, type) = Split(key[..dot]);
        if (!ReferenceParameters.Contains(head))
        {
            throw new UnsupportedSearchParameterException($"AuditEvent chains only through {string.Join(", ", ReferenceParameters)}, not '{head}'.");
        }

        var targets = await chains(key, value, ct);
        return targets.Count <= MaxChainTargets
            ? References(head, targets)
            : throw new BadRequestException($"'{key}' matches more than {MaxChainTargets} {type ?? "resources"}; narrow it to search the audit trail by them.", key);
    }

    /// <summary>
    /// Records whose reference parameter <paramref name="code"/> (one of <see cref="ReferenceParameters"/>, or "*" for
    /// any) points at one of <paramref name="references"/> (<c>Type/id</c>).
    /// </summary>
    public static Expression<Func<AuditRecord, bool>> References(string code, IReadOnlyCollection<string> references)
    {
        var all = references.ToList();
        var patients = IdsOf("Patient", all);
        return code switch
        {
            "patient" => r => (r.EntityType == "Patient" && patients.Contains(r.EntityId!)) || all.Contains(r.AgentReference!),
            "agent" => r => all.Contains(r.AgentReference!) || all.Contains(r.Organization!),
            "entity" => all.Select(a => a.Split('/')[0]).Distinct(StringComparer.Ordinal)
                .Select(type => (Type: type, Ids: IdsOf(type, all)))
                .Select(t => (Expression<Func<AuditRecord, bool>>)(r => r.EntityType == t.Type && t.Ids.Contains(r.EntityId!)))
                .Aggregate(None, Or),
            "*" => ReferenceParameters.Select(p => References(p, all)).Aggregate(Or),
            _ => throw new UnsupportedSearchParameterException($"'{code}' is not a reference parameter of AuditEvent this node supports."),
        };
    }

    private static List<string> IdsOf(string type, List<string> references) =>
        [.. references.Where(r => r.StartsWith(type + "/", StringComparison.Ordinal)).Select(r => r[(type.Length + 1)..])];

    /// <summary>Only the trail's order of recording can be sorted by: <c>date</c>, <c>_lastUpdated</c> or <c>_id</c>, either way.</summary>
    private static bool SortDescending(string value)
    {
        var keys = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (keys.Length != 1 || keys[0].TrimStart('-') is not ("date" or "_lastUpdated" or "_id"))
        {
            throw new UnsupportedSearchParameterException($"AuditEvents are sorted only by when they were recorded (date, _lastUpdated or _id), not by '{value}'.");
        }

        return keys[0].StartsWith('-');
    }

    /// <summary>One parameter's filter: any of its comma-separated values matches (or, under <c>:not</c>, none does).</summary>
    private Expression<Func<AuditRecord, bool>> Filter(string code, string? modifier, string key, string value)
    {
        if (modifier == "missing")
        {
            var present = Present(code);
            return value switch
            {
                "true" => Not(present),
                "false" => present,
                _ => throw new BadRequestException($"'{value}' is not a valid :missing value: expected true or false.", key),
            };
        }

        var alternatives = SearchValueSyntax.Split(value, ',').Select(v => Match(code, modifier, key, v)).ToList();
        var any = alternatives.Skip(1).Aggregate(alternatives[0], Or);
        return modifier == "not" ? Not(any) : any;
    }

    private Expression<Func<AuditRecord, bool>> Match(string code, string? modifier, string key, string value)
    {
        RequireModifier(code, modifier);
        return code switch
        {
            "_id" => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? r => r.Id == id : None,
            "date" or "_lastUpdated" => Recorded(key, value),
            "action" => Token(value, ActionSystem) is { } action ? r => r.Action == action : None,
            "outcome" => Token(value, OutcomeSystem) switch
            {
                "0" => r => r.Status < 400,
                "4" => r => r.Status >= 400 && r.Status < 500,
                "8" => r => r.Status >= 500,
                _ => None,
            },
            "subtype" => Token(value, AuditEventRendering.RestfulInteraction) is { } subtype ? r => r.Subtype == subtype : None,
            "type" => Token(value, AuditEventRendering.EventType) == "rest" ? All : None,
            "site" => Token(value, null) == node.Name ? All : None,
            "altid" => Token(value, null) is { } altId ? r => r.AltId == altId : None,
            "agent-role" => Token(value, AuditEventRendering.RoleSystem) is { } role ? r => (" " + r.Roles + " ").Contains(" " + role + " ") : None,
            "entity-type" => (Token(value, AuditEventRendering.EntityType), Token(value, AuditEventRendering.BasicAuditEntityType)) switch
            {
                ("2", _) => All,
                (_, "XrequestId") => r => r.RequestId != null,
                _ => None,
            },
            "entity-role" => Token(value, AuditEventRendering.ObjectRole) switch
            {
                "1" => r => r.EntityType == "Patient",
                "24" => r => r.QueryType != null,
                _ => None,
            },
            "address" => Text(r => r.Address, modifier, value),
            "agent-name" => Text(r => r.AgentName, modifier, value),
            "entity-name" or "policy" => None,
            "agent" when modifier == "identifier" => Token(value, AuditEventRendering.ClientSystem) is { } client ? r => r.AgentClient == client : None,
            "agent" => Reference(value) is var (type, id) && type is not null ? Agent($"{type}/{id}") : None,
            // Every interaction of one HTTP request (a Bundle and its entries): the request's identifier (AuditEventRendering).
            "entity" when modifier == "identifier" => Token(value, null) is { } requestId ? r => r.RequestId == requestId : None,
            "entity" => Reference(value) is var (entityType, entityId)
                ? entityType is null ? r => r.EntityId == entityId : r => r.EntityType == entityType && r.EntityId == entityId
                : None,
            "patient" => Reference(value) is var (patientType, patientId) && patientType is null or "Patient"
                ? r => (r.EntityType == "Patient" && r.EntityId == patientId) || r.AgentReference == "Patient/" + patientId
                : None,
            "source" => Reference(value) is var (sourceType, sourceId) && $"{sourceType ?? "Organization"}/{sourceId}" == node.Organization ? All : None,
            _ => throw new UnsupportedSearchParameterException($"'{code}' is not a search parameter of AuditEvent this node supports."),
        };
    }

    private static Expression<Func<AuditRecord, bool>> Agent(string reference) => r => r.AgentReference == reference || r.Organization == reference;

    /// <summary>The search parameters of AuditEvent the trail answers, as the CapabilityStatement lists them.</summary>
    public static readonly IReadOnlyList<string> Parameters =
    [
        "_id", "_lastUpdated", "action", "address", "agent", "agent-name", "agent-role", "altid", "date", "entity", "entity-name",
        "entity-role", "entity-type", "outcome", "patient", "policy", "site", "source", "subtype", "type",
    ];

    /// <summary>The modifiers the trail serves on a parameter (<c>:missing</c> on all of them).</summary>
    public static IReadOnlyList<string> ModifiersOf(string code) => code switch
    {
        "_id" or "action" or "outcome" or "subtype" or "type" or "site" or "altid" or "agent-role" or "entity-type" or "entity-role" => ["missing", "not"],
        "address" or "agent-name" or "entity-name" => ["missing", "exact", "contains"],
        "agent" or "entity" => ["missing", "identifier"],
        _ => ["missing"],
    };

    private static void RequireModifier(string code, string? modifier)
    {
        if (modifier is not null && !ModifiersOf(code).Contains(modifier))
        {
            throw new UnsupportedSearchParameterException($"The modifier ':{modifier}' is not supported on '{code}'.");
        }
    }

    /// <summary>Whether a record has a value for the parameter at all, for <c>:missing</c>.</summary>
    private static Expression<Func<AuditRecord, bool>> Present(string code) => code switch
    {
        "address" => r => r.Address != null,
        "agent-name" => r => r.AgentName != null,
        "altid" => r => r.AltId != null,
        "agent-role" => r => r.Roles != null,
        "agent" => r => r.AgentReference != null || r.Organization != null,
        "entity" => r => r.EntityType != null,
        "patient" => r => r.EntityType == "Patient" || r.AgentReference!.StartsWith("Patient/"),
        "entity-name" or "policy" => None,
        "_id" or "date" or "_lastUpdated" or "action" or "outcome" or "subtype" or "type" or "site" or "source" or "entity-type" or "entity-role" => All,
        _ => throw new UnsupportedSearchParameterException($"'{code}' is not a search parameter of AuditEvent this node supports."),
    };

    /// <summary>The code of a token value when its system (if given) is <paramref name="system"/>; null when it cannot match.</summary>
    private static string? Token(string value, string? system)
    {
        var parts = SearchValueSyntax.SplitPipes(value);
        return parts.Count switch
        {
            1 => parts[0],
            2 when parts[0] == system || (parts[0].Length > 0 && system is null) => parts[1],
            _ => null,
        };
    }

    /// <summary><c>Type/id</c>, an absolute URL ending in it, or a bare id (type null); a version suffix is dropped.</summary>
    private static (string? Type, string Id) Reference(string value)
    {
        var reference = SearchValueSyntax.Unescape(value);
        var history = reference.IndexOf("/_history/", StringComparison.Ordinal);
        var parts = (history >= 0 ? reference[..history] : reference).Split('/');
        return parts.Length >= 2 ? (parts[^2], parts[^1]) : (null, parts[0]);
    }

    /// <summary>String search: case-insensitive prefix by default, <c>:exact</c> the whole value, <c>:contains</c> anywhere.</summary>
    private static Expression<Func<AuditRecord, bool>> Text(Expression<Func<AuditRecord, string?>> column, string? modifier, string value)
    {
        var text = SearchValueSyntax.Unescape(value);
        var lowered = text.ToLowerInvariant();
        // Translated by EF Core to SQL lower() and LIKE on both providers; it never runs as .NET string code.
#pragma warning disable CA1304, CA1311, CA1862
        Expression<Func<string?, bool>> test = modifier switch
        {
            "exact" => s => s == text,
            "contains" => s => s!.ToLower().Contains(lowered),
            _ => s => s!.ToLower().StartsWith(lowered),
        };
#pragma warning restore CA1304, CA1311, CA1862
        var record = column.Parameters[0];
        var body = new ParameterReplacer(test.Parameters[0], column.Body).Visit(test.Body);
        return Expression.Lambda<Func<AuditRecord, bool>>(Expression.AndAlso(Expression.NotEqual(column.Body, Expression.Constant(null, typeof(string))), body), record);
    }

    /// <summary>
    /// The recorded instant against a date value's range (its precision): eq inside it, ne outside, gt/sa after, lt/eb
    /// before, ge/le with the range included, ap within a day of it.
    /// </summary>
    private static Expression<Func<AuditRecord, bool>> Recorded(string key, string value)
    {
        var (prefix, literal) = SearchPrefixParser.Parse(value);
        if (!DateRange.TryParse(literal, out var range))
        {
            throw new BadRequestException($"'{value}' is not a valid date for {key}: expected a FHIR date, dateTime or instant, optionally with a prefix.", key);
        }

        var (low, high) = (range.StartTicks, range.EndTicks);
        return prefix switch
        {
            SearchPrefix.Eq => r => r.RecordedTicks >= low && r.RecordedTicks <= high,
            SearchPrefix.Ne => r => r.RecordedTicks < low || r.RecordedTicks > high,
            SearchPrefix.Gt or SearchPrefix.Sa => r => r.RecordedTicks > high,
            SearchPrefix.Lt or SearchPrefix.Eb => r => r.RecordedTicks < low,
            SearchPrefix.Ge => r => r.RecordedTicks >= low,
            SearchPrefix.Le => r => r.RecordedTicks <= high,
            _ => Around(low, high),
        };
    }

    private static Expression<Func<AuditRecord, bool>> Around(long low, long high)
    {
        var (from, to) = (Math.Max(0, low - TimeSpan.TicksPerDay), Math.Min(DateTime.MaxValue.Ticks, high + TimeSpan.TicksPerDay));
        return r => r.RecordedTicks >= from && r.RecordedTicks <= to;
    }

    private static readonly Expression<Func<AuditRecord, bool>> All = _ => true;

    private static readonly Expression<Func<AuditRecord, bool>> None = _ => false;

    private static Expression<Func<AuditRecord, bool>> Or(Expression<Func<AuditRecord, bool>> a, Expression<Func<AuditRecord, bool>> b) =>
        Expression.Lambda<Func<AuditRecord, bool>>(Expression.OrElse(a.Body, new ParameterReplacer(b.Parameters[0], a.Parameters[0]).Visit(b.Body)), a.Parameters[0]);

    private static Expression<Func<AuditRecord, bool>> Not(Expression<Func<AuditRecord, bool>> a) =>
        Expression.Lambda<Func<AuditRecord, bool>>(Expression.Not(a.Body), a.Parameters[0]);

    public static (string Code, string? Modifier) Split(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (key, null) : (key[..colon], key[(colon + 1)..]);
    }
}

/// <summary>
/// What an AuditEvent chain (<c>patient.identifier=…</c>) points at in the FHIR store: the matching targets
/// (<c>Type/id</c>) the caller may see, at most <see cref="AuditTrailSearch.MaxChainTargets"/> + 1.
/// </summary>
public delegate Task<IReadOnlyList<string>> AuditChainTargets(string key, string value, CancellationToken ct);
