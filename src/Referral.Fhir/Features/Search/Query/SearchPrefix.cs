namespace Referral.Fhir.Features.Search.Query;

/// <summary>The comparison prefixes of ordered (date, number, quantity) search values.</summary>
public enum SearchPrefix
{
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Sa,
    Eb,
    Ap,
}

/// <summary>Reads the two-letter prefix off an ordered search value; a value without one means <c>eq</c>.</summary>
public static class SearchPrefixParser
{
    public static (SearchPrefix Prefix, string Value) Parse(string value)
    {
        if (value.Length >= 2)
        {
            SearchPrefix? prefix = value[..2] switch
            {
                "eq" => SearchPrefix.Eq,
                "ne" => SearchPrefix.Ne,
                "gt" => SearchPrefix.Gt,
                "lt" => SearchPrefix.Lt,
                "ge" => SearchPrefix.Ge,
                "le" => SearchPrefix.Le,
                "sa" => SearchPrefix.Sa,
                "eb" => SearchPrefix.Eb,
                "ap" => SearchPrefix.Ap,
                _ => null,
            };
            if (prefix is not null)
            {
                return (prefix.Value, value[2..]);
            }
        }

        return (SearchPrefix.Eq, value);
    }
}
