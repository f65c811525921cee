using System.ComponentModel.DataAnnotations;

namespace Referral.Persistence;

/// <summary>Where the FHIR store lives (configuration section <c>Storage</c>; PostgreSQL's connection string is <c>ConnectionStrings:Fhir</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>Sqlite</c> (default: a file under <see cref="DataDirectory"/>) or <c>PostgreSql</c>.</summary>
    [Required]
    [RegularExpression("^(Sqlite|PostgreSql)$", ErrorMessage = "Storage:Provider must be Sqlite or PostgreSql.")]
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Folder for the SQLite database file (and other node-local state).</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>File name of the SQLite database inside <see cref="DataDirectory"/>.</summary>
    public string SqliteFileName { get; set; } = "fhir.db";

    /// <summary>
    /// Refresh the query planner's statistics once this many resource versions were written since the last refresh
    /// (and at least 20% of what the store held then), so searches stay index-driven right after a bulk import.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int AnalyzeAfterWrites { get; set; } = 2000;
}
