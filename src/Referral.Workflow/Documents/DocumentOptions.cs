namespace Referral.Workflow.Documents;

/// <summary>
/// Where the fonts for rendered PDF documents are (configuration section <c>Documents</c>). Chinese text needs a CJK
/// TrueType font and Latin text and digits a Latin one (the common CJK fallback fonts carry no Latin glyphs). Fonts are
/// never shipped with the node: unset paths are looked for among the usual Debian font locations.
/// </summary>
public sealed class DocumentOptions
{
    public const string Section = "Documents";

    /// <summary>Tried in order when <see cref="FontPath"/> is unset (Debian: fonts-droid-fallback).</summary>
    public static readonly IReadOnlyList<string> DefaultCjkFonts =
    [
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
        "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    ];

    /// <summary>Tried in order when <see cref="LatinFontPath"/> is unset (Debian: fonts-dejavu-core, fonts-liberation).</summary>
    public static readonly IReadOnlyList<string> DefaultLatinFonts =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];

    /// <summary>A TrueType font (.ttf, not a .ttc collection) with Chinese glyphs.</summary>
    public string? FontPath { get; set; }

    /// <summary>A TrueType font for Latin letters, digits and punctuation.</summary>
    public string? LatinFontPath { get; set; }

    /// <summary>Whether unset paths are looked for in <see cref="DefaultCjkFonts"/> and <see cref="DefaultLatinFonts"/>.</summary>
    public bool SearchSystemFonts { get; set; } = true;
}
