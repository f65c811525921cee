using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace Referral.Workflow.Documents;

/// <summary>
/// PDFsharp's font resolver for the whole process (PDFsharp allows one, set once): font files are registered by path
/// and get a family name of their own, so two nodes in one process may each render with the fonts they were given.
/// </summary>
public sealed class FontFileResolver : IFontResolver
{
    private static readonly object Gate = new();
    private readonly ConcurrentDictionary<string, string> _familyByPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _pathByFamily = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte[]> _bytes = new(StringComparer.OrdinalIgnoreCase);
    private int _registered;

    private FontFileResolver()
    {
    }

    public static FontFileResolver Instance { get; } = Install();

    /// <summary>The family name to give PDFsharp for the font file at <paramref name="path"/>.</summary>
    public string Register(string path)
    {
        lock (Gate)
        {
            if (!_familyByPath.TryGetValue(path, out var family))
            {
                family = $"alliance-font-{++_registered}";
                _pathByFamily[family] = path;
                _familyByPath[path] = family;
            }

            return family;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        _pathByFamily.ContainsKey(familyName) ? new FontResolverInfo(familyName.ToLowerInvariant(), bold, italic) : null;

    public byte[]? GetFont(string faceName) =>
        _pathByFamily.TryGetValue(faceName, out var path) ? _bytes.GetOrAdd(faceName, _ => File.ReadAllBytes(path)) : null;

    private static FontFileResolver Install()
    {
        lock (Gate)
        {
            var resolver = new FontFileResolver();
            GlobalFontSettings.FontResolver = resolver;
            return resolver;
        }
    }
}
