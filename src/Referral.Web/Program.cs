using Referral.Web;

// Everything a node is lives in NodeApplication, so the CLI can run the two nodes of the demo alliance in one process.
var app = await NodeApplication.CreateAsync(args);
await app.RunAsync();

/// <summary>The node host; public so functional tests can start it with WebApplicationFactory.</summary>
public partial class Program;
