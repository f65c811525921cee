namespace Referral.Cli;

/// <summary>
/// What <c>import</c> was asked to do: the file or folder, the FHIR base, and how to authenticate (a ready bearer
/// token, or a client id and secret to obtain one by client credentials; neither for a node without authentication).
/// </summary>
public sealed record ImportArguments(string Path, Uri Server, string? Token, ClientCredentials? Credentials)
{
    public const string ServerVariable = "REFERRAL_FHIR_BASE";
    public const string ClientIdVariable = "REFERRAL_CLIENT_ID";
    public const string ClientSecretVariable = "REFERRAL_CLIENT_SECRET";

    /// <summary>Reads the command line, falling back to the environment for the server and the client credentials.</summary>
    public static ImportArguments Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? path = null;
        var server = environment(ServerVariable) ?? "http://127.0.0.1:5100/fhir";
        string? token = null;
        string? clientId = null;
        string? clientSecret = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--server" when i + 1 < args.Count:
                    server = args[++i];
                    break;
                case "--token" when i + 1 < args.Count:
                    token = args[++i];
                    break;
                case "--client-id" when i + 1 < args.Count:
                    clientId = args[++i];
                    break;
                case "--client-secret" when i + 1 < args.Count:
                    clientSecret = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || path is not null)
                    {
                        throw new CliUsageException($"Unexpected argument '{args[i]}'.");
                    }

                    path = args[i];
                    break;
            }
        }

        if (token is not null && (clientId is not null || clientSecret is not null))
        {
            throw new CliUsageException("Pass either --token or --client-id/--client-secret, not both.");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"--server must be an absolute http(s) URL, not '{server}'.");
        }

        // A token on the command line wins over credentials in the environment: it is the more specific request.
        if (token is null)
        {
            clientId ??= environment(ClientIdVariable);
            clientSecret ??= environment(ClientSecretVariable);
        }

        var credentials = (clientId, clientSecret) switch
        {
            (null, null) => null,
            ({ } id, { } secret) => new ClientCredentials(id, secret, ClientCredentials.TokenEndpointFor(serverUri)),
            (null, _) => throw new CliUsageException($"--client-secret needs --client-id (or {ClientIdVariable})."),
            (_, null) => throw new CliUsageException($"--client-id needs --client-secret (or {ClientSecretVariable})."),
        };
        return new ImportArguments(path ?? throw new CliUsageException("import needs a file or folder."), serverUri, token, credentials);
    }
}
