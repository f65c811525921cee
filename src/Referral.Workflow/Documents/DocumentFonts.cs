using System.Net;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using Referral.Fhir.Errors;

namespace Referral.Workflow.Documents;

/// <summary>The two fonts this node renders documents with, found once from <see cref="DocumentOptions"/>.</summary>
public sealed class DocumentFonts(IOptions<DocumentOptions> options)
{
    private readonly Lazy<(string? Cjk, string? Latin)> _paths = new(() => Find(options.Value));

    public string? CjkPath => _paths.Value.Cjk;

    public string? LatinPath => _paths.Value.Latin;

    public bool Available => CjkPath is not null && LatinPath is not null;

    /// <summary>The PDFsharp family names of the CJK and the Latin font; 503 with what to install when one is missing.</summary>
    public (string Cjk, string Latin) Require()
    {
        if (CjkPath is not { } cjk || LatinPath is not { } latin)
        {
            throw new FhirException(HttpStatusCode.ServiceUnavailable, OperationOutcome.IssueType.NotSupported, Missing());
        }

        return (FontFileResolver.Instance.Register(cjk), FontFileResolver.Instance.Register(latin));
    }

    /// <summary>Says which font is missing and how to provide it.</summary>
    public string Missing()
    {
        var missing = new List<string>();
        if (CjkPath is null)
        {
            missing.Add("no CJK font: install fonts-droid-fallback (Debian) or set Documents:FontPath to a .ttf with Chinese glyphs");
        }

        if (LatinPath is null)
        {
            missing.Add("no Latin font: install fonts-dejavu-core (Debian) or set Documents:LatinFontPath to a .ttf");
        }

        return $"This node cannot render PDF documents: {string.Join("; ", missing)}.";
    }

    private static (string?, string?) Find(DocumentOptions options) =>
        (Pick(options.FontPath, DocumentOptions.DefaultCjkFonts, options.SearchSystemFonts),
         Pick(options.LatinFontPath, DocumentOptions.DefaultLatinFonts, options.SearchSystemFonts));

    private static string? Pick(string? configured, IReadOnlyList<string> defaults, bool search) =>
        !string.IsNullOrWhiteSpace(configured) ? configured
        : search ? defaults.FirstOrDefault(File.Exists)
        : null;
}
