using Spectre.Console;

namespace Referral.Cli;

/// <summary>The <c>referral</c> command line: dispatches sub-commands.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage();
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            return args[0] switch
            {
                "demo" => await Demo.DemoCommand.RunAsync(args[1..]),
                "import" => await ImportCommand.RunAsync(args[1..]),
                _ => Unknown(args[0]),
            };
        }
        catch (CliUsageException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            PrintUsage();
            return 2;
        }
        catch (CliFailureException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return 1;
        }
    }

    private static int Unknown(string command)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]Unknown command '{command}'.[/]");
        PrintUsage();
        return 2;
    }

    private static void PrintUsage()
    {
        AnsiConsole.WriteLine("Usage:");
        AnsiConsole.WriteLine("  " + Demo.DemoCommand.Usage);
        AnsiConsole.WriteLine("      Runs the demo alliance: the municipal and the cancer hospital's nodes on two loopback ports, with demo users");
        AnsiConsole.WriteLine("      and synthetic patients, each trusting the other as partner; one SQLite database per node. Ctrl+C stops both.");
        AnsiConsole.WriteLine("  referral import <file|folder> [--server http://127.0.0.1:5100/fhir]");
        AnsiConsole.WriteLine("                  [--client-id <id> --client-secret <secret> | --token <bearer>]");
        AnsiConsole.WriteLine("      Posts each FHIR transaction/batch Bundle (*.json) to the node and reports resources/second.");
        AnsiConsole.WriteLine("      --client-id/--client-secret (or REFERRAL_CLIENT_ID / REFERRAL_CLIENT_SECRET) get a client-credentials");
        AnsiConsole.WriteLine("      token from <server without /fhir>/connect/token; --token sends a token you already have.");
        AnsiConsole.WriteLine("      REFERRAL_FHIR_BASE sets the default server.");
    }
}

/// <summary>A command line the user got wrong; printed with the usage.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>A command that could not do its work for a reason the user can act on (a refused token, say); printed without the usage.</summary>
public sealed class CliFailureException(string message) : Exception(message);
