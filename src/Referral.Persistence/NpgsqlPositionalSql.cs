using System.Globalization;
using System.Text.RegularExpressions;

namespace Referral.Persistence;

/// <summary>
/// SQL with positional parameters (<c>$1</c>, <c>$2</c> …) for PostgreSQL. EF Core names its parameters
/// (<c>@__id_0</c>), and Npgsql then parses the whole SQL text on every execution to rewrite them into positions;
/// a statement kept as positional text is sent as it is. For the organisation-scoped read by id (kilobytes of SQL,
/// run more than any other) that parse was about as much CPU as the rest of the request. Applied to every EF query
/// through an interceptor it made no measurable difference to searches, so only the read uses it.
/// </summary>
public static partial class NpgsqlPositionalSql
{
    /// <summary>
    /// <paramref name="sql"/> with <c>$n</c> for each <c>@name</c> of <paramref name="names"/>, numbered in that order;
    /// null when the text names a parameter not among them or holds several statements (which positional text cannot).
    /// </summary>
    public static string? Positional(string sql, IReadOnlyList<string> names)
    {
        if (sql.Contains(';', StringComparison.Ordinal))
        {
            return null;
        }

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            positions[names[i].TrimStart('@')] = i + 1;
        }

        var unknown = false;
        var positional = NamedParameter().Replace(sql, m =>
        {
            if (positions.TryGetValue(m.Groups["name"].Value, out var position))
            {
                return "$" + position.ToString(CultureInfo.InvariantCulture);
            }

            unknown = true;
            return m.Value;
        });
        return unknown ? null : positional;
    }

    /// <summary>An <c>@</c> that starts a parameter name, not one inside a word (an e-mail address in a literal).</summary>
    [GeneratedRegex(@"(?<![\w@])@(?<name>[A-Za-z_]\w*)")]
    private static partial Regex NamedParameter();
}
