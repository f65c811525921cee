using Microsoft.Extensions.Options;

namespace Referral.Workflow.Documents;

/// <summary>A font path that is set must name a readable TrueType file; PDFsharp cannot read font collections (.ttc).</summary>
public sealed class DocumentOptionsValidator : IValidateOptions<DocumentOptions>
{
    public ValidateOptionsResult Validate(string? name, DocumentOptions options)
    {
        var failures = new List<string>();
        Check(options.FontPath, $"{DocumentOptions.Section}:{nameof(DocumentOptions.FontPath)}", failures);
        Check(options.LatinFontPath, $"{DocumentOptions.Section}:{nameof(DocumentOptions.LatinFontPath)}", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string? path, string key, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        if (!File.Exists(path))
        {
            failures.Add($"{key} names '{path}', which does not exist.");
        }
        else if (!path.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{key} must name a single-face TrueType/OpenType font (.ttf or .otf), not '{path}'.");
        }
    }
}
