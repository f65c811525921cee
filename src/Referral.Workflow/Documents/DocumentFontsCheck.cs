using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Referral.Workflow.Documents;

/// <summary>Says at start which fonts documents are rendered with, or warns that rendering will be refused.</summary>
public sealed class DocumentFontsCheck(DocumentFonts fonts, ILogger<DocumentFontsCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (fonts.Available)
        {
            logger.LogInformation("Documents are rendered with {CjkFont} and {LatinFont}", fonts.CjkPath, fonts.LatinPath);
        }
        else
        {
            logger.LogWarning("{Problem} Rendering referral letters and discharge summaries answers 503 until then.", fonts.Missing());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
