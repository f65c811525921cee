using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Referral.Persistence;

/// <summary>
/// A page's bounds as literals in the SQL SQLite compiles. EF Core sends <c>Skip</c>/<c>Take</c> as parameters
/// (<c>LIMIT @p OFFSET @p0</c>), and SQLite (3.53) compiles a statement again whenever a LIMIT or OFFSET parameter is
/// bound to a new value, as its plan may depend on it: an organisation-scoped search page spent four fifths of its
/// database time compiling. Written in here, below EF, the statement is compiled once per page shape (most searches read
/// the first page of the default size) and then reused, while EF keeps the parameters and so keeps its generated SQL
/// cached (<c>EF.Constant</c> would make it generate the SQL again on every query). The parameters stay bound; SQLite
/// ignores those the statement no longer names. PostgreSQL plans a parameterised LIMIT once and is left alone.
/// </summary>
public static partial class SqlitePagingLiterals
{
    /// <summary><paramref name="command"/>'s SQL with every LIMIT and OFFSET bound to an integer parameter written as that integer.</summary>
    public static string Inline(SqliteCommand command)
    {
        var sql = command.CommandText;
        if (!sql.Contains("LIMIT @", StringComparison.Ordinal))
        {
            return sql;
        }

        return PageBound().Replace(sql, m =>
        {
            var index = command.Parameters.IndexOf(m.Groups["name"].Value);
            return index >= 0 && command.Parameters[index].Value is int or long
                ? $"{m.Groups["clause"].Value} {Convert.ToInt64(command.Parameters[index].Value, CultureInfo.InvariantCulture)}"
                : m.Value;
        });
    }

    [GeneratedRegex(@"\b(?<clause>LIMIT|OFFSET) (?<name>@\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex PageBound();
}
