using System.Linq.Expressions;
using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// Sorts the raw query into result-shaping parameters (<c>_count</c>, <c>_sort</c>, <c>_include</c>, …) and filters,
/// and applies the handling preference to whatever the server does not know.
/// </summary>
internal sealed class SearchRequestParser(FilterCompiler compiler, bool strict, int defaultCount, int maxCount)
{

    private readonly List<Expression<Func<ResourceEntity, bool>>> _filters = [];
    private readonly List<SortKey> _sort = [];
    private readonly List<IncludeSpec> _includes = [];
    private readonly List<KeyValuePair<string, string>> _applied = [];
    private readonly List<string> _ignored = [];
    private int _count = defaultCount;
    private int _offset;
    private TotalMode _total = TotalMode.Accurate;
    private string? _summary;
    private List<string>? _elements;

    // filtersOnly: conditional interactions match by the filters alone; paging, sorting and includes are not theirs.
    public SearchRequest Parse(SearchScope scope, IReadOnlyList<KeyValuePair<string, string>> parameters, bool filtersOnly)
    {
        if (scope.IsSystem)
        {
            // _type may come after the parameters it makes answerable (GET /fhir?subject.name=x&_type=Observation).
            var types = parameters.Where(p => p.Key.Trim() == "_type")
                .SelectMany(p => SearchValueSyntax.Split(p.Value.Trim(), ',')).Select(SearchValueSyntax.Unescape)
                .Where(SearchParameterRegistry.IsResourceType).Distinct(StringComparer.Ordinal).ToList();
            scope = scope with { Types = types };
        }

        foreach (var (rawKey, rawValue) in parameters)
        {
            var key = rawKey.Trim();
            var value = rawValue.Trim();
            if (key.Length == 0 || key is "_format" or "_pretty")
            {
                continue;
            }

            // Nothing stored can hold one (the parser refuses them), and PostgreSQL fails on a NUL in a parameter.
            if (ControlCharacterGuard.ContainsForbidden(key) || ControlCharacterGuard.ContainsForbidden(value))
            {
                throw new BadRequestException($"The search parameter '{Printable(key)}' holds a control character.", Printable(key));
            }

            var isControl = IsControl(key);
            if (isControl && filtersOnly)
            {
                continue;
            }

            try
            {
                if (isControl)
                {
                    ParseControl(scope, key, value);
                }
                else if (value.Length > 0)
                {
                    // An empty value constrains nothing, so the parameter is dropped rather than matching nothing.
                    _filters.Add(compiler.Compile(scope, key, value));
                    _applied.Add(new(key, value));
                }
            }
            catch (UnsupportedSearchParameterException e)
            {
                if (strict)
                {
                    throw new BadRequestException(e.Message, key);
                }

                _ignored.Add(key);
            }
        }

        if (_sort.Count > 0)
        {
            _applied.Add(new("_sort", string.Join(',', _sort)));
        }

        _applied.AddRange(_includes.Select(i => new KeyValuePair<string, string>(i.Key, i.Value)));
        return new SearchRequest(scope, _filters, _count, _offset, _sort, _total, _summary, _elements, _includes, _applied, _ignored);
    }

    private static string Printable(string key) => new([.. key.Take(64).Select(c => ControlCharacterGuard.IsForbidden(c) ? '?' : c)]);

    private static bool IsControl(string key) =>
        FilterCompiler.SplitModifier(key).Code is "_count" or "_offset" or "_sort" or "_total" or "_summary" or "_elements" or "_include" or "_revinclude";

    private void ParseControl(SearchScope scope, string key, string value)
    {
        var (code, modifier) = FilterCompiler.SplitModifier(key);
        if (modifier is not null && code is not ("_include" or "_revinclude"))
        {
            throw new UnsupportedSearchParameterException($"The modifier ':{modifier}' is not supported on '{code}'.");
        }

        switch (code)
        {
            case "_count":
                _count = Math.Min(SearchControls.NonNegative(key, value), maxCount);
                break;
            case "_offset":
                _offset = SearchControls.NonNegative(key, value);
                break;
            case "_total":
                _total = SearchControls.Total(key, value);
                _applied.Add(new(key, value));
                break;
            case "_summary":
                _summary = SearchControls.Summary(key, value);
                _applied.Add(new(key, value));
                break;
            case "_elements":
                _elements = [.. SearchControls.Elements(value)];
                _applied.Add(new(key, string.Join(',', _elements)));
                break;
            case "_sort":
                foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    SortOne(scope, key, item);
                }

                break;
            default:
                var reverse = code == "_revinclude";
                var iterate = modifier switch
                {
                    null => false,
                    "iterate" or "recurse" => true,
                    _ => throw new UnsupportedSearchParameterException($"The modifier ':{modifier}' is not supported on '{code}'."),
                };
                _includes.Add(ParseInclude(reverse, iterate, value));
                break;
        }
    }

    // One bad sort key is skipped alone under lenient handling; the other keys still apply.
    private void SortOne(SearchScope scope, string key, string item)
    {
        var descending = item.StartsWith('-');
        var code = descending ? item[1..] : item;
        try
        {
            if (code is "_id" or "_lastUpdated")
            {
                _sort.Add(new SortKey(code, descending, null));
                return;
            }

            var parameter = compiler.Resolve(scope, code);
            if (!SortBuilder.CanSort(parameter.Type) || parameter.Expression is null)
            {
                throw new UnsupportedSearchParameterException($"Sorting by '{code}' is not supported.");
            }

            _sort.Add(new SortKey(code, descending, parameter));
        }
        catch (UnsupportedSearchParameterException e)
        {
            if (strict)
            {
                throw new BadRequestException(e.Message, key);
            }

            _ignored.Add($"{key}={item}");
        }
    }

    private IncludeSpec ParseInclude(bool reverse, bool iterate, string value)
    {
        if (value == IncludeSpec.Any)
        {
            return new IncludeSpec(reverse, IncludeSpec.Any, IncludeSpec.Any, null, iterate);
        }

        var parts = value.Split(':');
        if (parts.Length is not (2 or 3) || !SearchParameterRegistry.IsResourceType(parts[0]))
        {
            throw new UnsupportedSearchParameterException($"'{value}' is not a supported include: expected Type:parameter[:TargetType] or *.");
        }

        if (parts[1] != IncludeSpec.Any &&
            (!compiler.Registry.TryGet(parts[0], parts[1], out var parameter) || parameter.Type != SearchParamType.Reference))
        {
            throw new UnsupportedSearchParameterException($"'{parts[1]}' is not a reference parameter of {parts[0]}.");
        }

        if (parts.Length == 3 && !SearchParameterRegistry.IsResourceType(parts[2]))
        {
            throw new UnsupportedSearchParameterException($"'{parts[2]}' in include '{value}' is not a resource type.");
        }

        return new IncludeSpec(reverse, parts[0], parts[1], parts.Length == 3 ? parts[2] : null, iterate);
    }

}
