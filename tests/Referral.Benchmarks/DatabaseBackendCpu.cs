using System.Data.Common;
using System.Diagnostics;

namespace Referral.Benchmarks;

/// <summary>
/// The CPU time of the PostgreSQL backends serving one database, when the server runs on this machine. A backend's
/// process title names its database (<c>postgres: user database client state</c>), so the backends of the node's own
/// database are found in the process table. On a machine whose two cores the server shares with the node and the
/// load driver, this is the other half of what a request costs on PostgreSQL.
/// </summary>
internal sealed class DatabaseBackendCpu(string database)
{
    private readonly Dictionary<int, TimeSpan> _seen = [];

    private TimeSpan _total;

    /// <summary>The database of a node's connection string, or null when it has none (SQLite).</summary>
    public static DatabaseBackendCpu? For(string? connectionString)
    {
        if (connectionString is null)
        {
            return null;
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return builder.TryGetValue("Database", out var name) && name is string { Length: > 0 } database ? new DatabaseBackendCpu(database) : null;
    }

    /// <summary>
    /// A running total of the backends' CPU time: the difference between two calls is what they spent in between. A
    /// backend that started in between counts whole; one that ended in between loses what it spent since the earlier
    /// call (the node's pools keep their connections, so that is rare).
    /// </summary>
    public TimeSpan Total()
    {
        // Not Process.GetProcessesByName: .NET names a process after its command line's first word, which a backend's title replaces.
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || !ServesDatabase(pid))
            {
                continue;
            }

            TimeSpan now;
            try
            {
                using var process = Process.GetProcessById(pid);
                now = process.TotalProcessorTime;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                continue; // It ended while being read.
            }

            _total += now - _seen.GetValueOrDefault(pid);
            _seen[pid] = now;
        }

        return _total;
    }

    private bool ServesDatabase(int pid)
    {
        try
        {
            if (File.ReadAllText($"/proc/{pid}/comm").TrimEnd() != "postgres")
            {
                return false;
            }

            // The title replaces the command line: "postgres: <user> <database> <client> <state>".
            var title = File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0', ' ');
            var words = title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return words is ["postgres:", _, var name, ..] && name == database;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
