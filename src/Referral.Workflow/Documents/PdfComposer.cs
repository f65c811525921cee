using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Referral.Workflow.Documents;

/// <summary>
/// Lays out a simple A4 form: a centred title, labelled fields, headed sections and wrapped paragraphs, flowing onto
/// new pages. Chinese has no spaces to break at, so lines break between any two CJK characters and at spaces between
/// Latin words; each run is drawn in the font that has its glyphs.
/// </summary>
public sealed class PdfComposer : IDisposable
{
    private const double Margin = 50;
    private const double LabelWidth = 150;
    private readonly PdfDocument _document = new();
    private readonly (string Cjk, string Latin) _families;
    private readonly Dictionary<(bool Cjk, double Size, bool Bold), XFont> _fonts = [];
    private XGraphics _graphics = null!;
    private PdfPage _page = null!;
    private double _y;

    public PdfComposer((string Cjk, string Latin) families, string title, string author)
    {
        _families = families;
        _document.Info.Title = title;
        _document.Info.Author = author;
        _document.Info.Creator = "Referral alliance node";
        NewPage();
    }

    private double Width => _page.Width.Point - (2 * Margin);

    public void Title(string text, string? subtitle = null)
    {
        Line(text, 18, bold: true, centred: true);
        if (subtitle is not null)
        {
            Line(subtitle, 10, bold: false, centred: true);
        }

        _y += 6;
        Rule();
    }

    public void Heading(string text)
    {
        _y += 8;
        Room(30);
        Line(text, 12, bold: true, centred: false);
        Rule();
    }

    /// <summary>A label and its value; an empty value is shown as a dash so a missing item is visible on the form.</summary>
    public void Field(string label, string? value)
    {
        var lines = Wrap(string.IsNullOrWhiteSpace(value) ? "—" : value, 10, Width - LabelWidth);
        var height = Leading(10);
        Room(height);
        Draw(label, Margin, 10, bold: true);
        foreach (var line in lines)
        {
            Room(height);
            Draw(line, Margin + LabelWidth, 10, bold: false);
            _y += height;
        }
    }

    public void Paragraph(string text, double size = 10)
    {
        foreach (var line in Wrap(text, size, Width))
        {
            Room(Leading(size));
            Draw(line, Margin, size, bold: false);
            _y += Leading(size);
        }
    }

    public void Space(double points) => _y += points;

    public byte[] Save()
    {
        using var stream = new MemoryStream();
        _graphics.Dispose();
        _document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        _graphics.Dispose();
        _document.Dispose();
    }

    private void Line(string text, double size, bool bold, bool centred)
    {
        foreach (var line in Wrap(text, size, Width))
        {
            Room(Leading(size));
            var x = centred ? Margin + ((Width - Measure(line, size, bold)) / 2) : Margin;
            Draw(line, x, size, bold);
            _y += Leading(size);
        }
    }

    private void Rule()
    {
        _graphics.DrawLine(XPens.Gray, Margin, _y, Margin + Width, _y);
        _y += 6;
    }

    private void Room(double height)
    {
        if (_y + height > _page.Height.Point - Margin)
        {
            NewPage();
        }
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        _page = _document.AddPage();
        _page.Size = PageSize.A4;
        _graphics = XGraphics.FromPdfPage(_page);
        _y = Margin;
        var number = _document.PageCount.ToString(CultureInfo.InvariantCulture);
        _graphics.DrawString(number, Font(false, 8, false), XBrushes.Gray, _page.Width.Point - Margin, _page.Height.Point - (Margin / 2), XStringFormats.BottomRight);
    }

    private static double Leading(double size) => size * 1.55;

    /// <summary>Draws one already wrapped line, run by run.</summary>
    private void Draw(string line, double x, double size, bool bold)
    {
        foreach (var (run, cjk) in Runs(line))
        {
            var font = Font(cjk, size, bold);
            _graphics.DrawString(run, font, XBrushes.Black, x, _y, XStringFormats.TopLeft);
            x += _graphics.MeasureString(run, font).Width;
        }
    }

    private double Measure(string text, double size, bool bold) =>
        Runs(text).Sum(r => _graphics.MeasureString(r.Text, Font(r.Cjk, size, bold)).Width);

    /// <summary>Breaks text into lines no wider than <paramref name="width"/>; newlines in the text are kept.</summary>
    private List<string> Wrap(string text, double size, double width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = "";
            foreach (var token in Tokens(paragraph))
            {
                var candidate = line + token;
                if (line.Length > 0 && Measure(candidate.TrimEnd(), size, false) > width)
                {
                    lines.Add(line.TrimEnd());
                    line = token.TrimStart();
                }
                else
                {
                    line = candidate;
                }

                // A single token wider than the line (a long identifier or URL) is cut where it no longer fits.
                while (line.Length > 1 && Measure(line, size, false) > width)
                {
                    var cut = line.Length - 1;
                    while (cut > 1 && Measure(line[..cut], size, false) > width)
                    {
                        cut--;
                    }

                    lines.Add(line[..cut]);
                    line = line[cut..];
                }
            }

            lines.Add(line.TrimEnd());
        }

        return lines;
    }

    /// <summary>Units a line may break between: a CJK character, a Latin word with its trailing spaces.</summary>
    private static IEnumerable<string> Tokens(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsLatin(text[i]))
            {
                if (i > start)
                {
                    yield return text[start..i];
                }

                yield return text[i].ToString();
                start = i + 1;
            }
            else if (text[i] == ' ' && (i + 1 == text.Length || text[i + 1] != ' '))
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static IEnumerable<(string Text, bool Cjk)> Runs(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || IsLatin(text[i]) != IsLatin(text[start]))
            {
                yield return (text[start..i], !IsLatin(text[start]));
                start = i;
            }
        }
    }

    /// <summary>Latin text, general punctuation and arrows, which the Latin font carries and CJK fallback fonts lack.</summary>
    private static bool IsLatin(char c) => c < '\u0250' || c is >= '\u2000' and <= '\u206F' or >= '\u2190' and <= '\u21FF';

    private XFont Font(bool cjk, double size, bool bold)
    {
        if (!_fonts.TryGetValue((cjk, size, bold), out var font))
        {
            font = new XFont(cjk ? _families.Cjk : _families.Latin, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
            _fonts[(cjk, size, bold)] = font;
        }

        return font;
    }
}
