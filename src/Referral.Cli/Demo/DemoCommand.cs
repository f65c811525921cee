using System.Globalization;
using Spectre.Console;

namespace Referral.Cli.Demo;

/// <summary>
/// <c>demo [--municipal-port 5100] [--cancer-port 5200] [--data ./data/demo]</c>: runs the demo alliance (both
/// hospitals' nodes) in this process, prints where they are and how to sign in, and runs until Ctrl+C.
/// </summary>
public static class DemoCommand
{
    public const string Usage = "referral demo [--municipal-port 5100] [--cancer-port 5200] [--data ./data/demo]";

    public static async Task<int> RunAsync(string[] args)
    {
        var alliance = Parse(args);
        var firstRun = alliance.Nodes.Any(n => !File.Exists(Path.Combine(n.DataDirectory, "fhir.db")));
        AnsiConsole.MarkupLine(firstRun ? "Starting the demo alliance: creating both databases and seeding demo patients…" : "Starting the demo alliance…");
        DemoAllianceHost host;
        try
        {
            host = await DemoAllianceHost.StartAsync(alliance);
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use", or a data folder that cannot be written.
            AnsiConsole.MarkupLineInterpolated($"[red]Could not start the demo alliance: {e.Message}[/]");
            AnsiConsole.MarkupLine("Another program may be listening on those ports: choose others with [bold]--municipal-port[/] and [bold]--cancer-port[/].");
            return 1;
        }

        await using (host)
        {
            Print(alliance);
            await host.WaitForShutdownAsync();
            AnsiConsole.MarkupLine("Stopping both nodes…");
        }

        return 0;
    }

    public static void Print(DemoAlliance alliance)
    {
        var (municipal, cancer) = (alliance.Municipal, alliance.Cancer);
        var nodes = new Table().Title("[bold]Demo alliance[/]").AddColumns(new TableColumn(""), new TableColumn(Escape(municipal.Name)), new TableColumn(Escape(cancer.Name)));
        Row(nodes, "Organization", municipal.Organization, cancer.Organization);
        Row(nodes, "FHIR base URL", municipal.FhirBase, cancer.FhirBase);
        Row(nodes, "Issuer", municipal.Issuer, cancer.Issuer);
        Row(nodes, "Sign-in page", municipal.SignInPage, cancer.SignInPage);
        Row(nodes, "Token endpoint", municipal.TokenEndpoint, cancer.TokenEndpoint);
        Row(nodes, "Partner client", $"{municipal.ClientId} (at the other node)", $"{cancer.ClientId} (at the other node)");
        Row(nodes, "Data", municipal.DataDirectory, cancer.DataDirectory);
        AnsiConsole.Write(nodes);

        var logins = new Table().Title("[bold]Demo logins (the same on both nodes)[/]")
            .AddColumns(new TableColumn("User").NoWrap(), new TableColumn("Password").NoWrap(), new TableColumn("Role").NoWrap(), new TableColumn(Escape(municipal.Name)), new TableColumn(Escape(cancer.Name)));
        for (var i = 0; i < municipal.Users.Count; i++)
        {
            var user = municipal.Users[i];
            Row(logins, user.UserName, user.Password, user.Role, user.DisplayName, cancer.Users[i].DisplayName);
        }

        Row(logins, DemoAlliance.ScriptsClientId, DemoAlliance.ScriptsClientSecret, "admin", "client credentials", "client credentials");
        AnsiConsole.Write(logins);

        AnsiConsole.MarkupLine("Partner-node client secrets are made for this run and kept in memory (Alliance:Partners). A script token and a FHIR call:");
        // Plain console output: Spectre would wrap the commands at the terminal width, and they are meant to be copied.
        foreach (var node in alliance.Nodes)
        {
            Console.WriteLine(
                $"  curl -s -d grant_type=client_credentials -d client_id={DemoAlliance.ScriptsClientId} -d client_secret={DemoAlliance.ScriptsClientSecret} {node.TokenEndpoint}");
        }

        Console.WriteLine($"  curl -H \"Authorization: Bearer <access_token>\" \"{municipal.FhirBase}/Patient?_count=5\"");
        AnsiConsole.MarkupLine("[bold]Press Ctrl+C to stop both nodes.[/]");
    }

    private static void Row(Table table, params string[] cells) => table.AddRow([.. cells.Select(c => new Markup(Escape(c)))]);

    private static string Escape(string text) => Markup.Escape(text);

    private static DemoAlliance Parse(string[] args)
    {
        var municipal = DemoAlliance.DefaultMunicipalPort;
        var cancer = DemoAlliance.DefaultCancerPort;
        var data = Path.Combine(".", "data", "demo");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--municipal-port" when i + 1 < args.Length:
                    municipal = Port(args[++i]);
                    break;
                case "--cancer-port" when i + 1 < args.Length:
                    cancer = Port(args[++i]);
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                default:
                    throw new CliUsageException($"Unexpected argument '{args[i]}'.");
            }
        }

        return municipal == cancer
            ? throw new CliUsageException("The two nodes need different ports.")
            : DemoAlliance.Create(data, municipal, cancer);
    }

    private static int Port(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new CliUsageException($"'{value}' is not a port number.");
}
