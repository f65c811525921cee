namespace Referral.Cli;

/// <summary>
/// The entry point, in the CLI's namespace rather than top-level statements: those would make a global
/// <c>Program</c> that clashes with the node host's in projects referencing both (the functional tests).
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args);
}
