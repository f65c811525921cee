using Referral.Fhir;
using Referral.Identity;
using Referral.Persistence;
using Referral.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddNodeDefaults();
builder.Services.AddFhirServer(builder.Configuration);
builder.AddNodeIdentity();

var app = builder.Build();
await app.Services.MigrateFhirDatabaseAsync();
await app.InitializeNodeIdentityAsync();
await app.SeedDemoDataAsync();
app.UseExceptionHandler();
app.UseNodeIdentity();
app.MapHealthChecks("/health").AllowAnonymous();
app.MapNodeIdentity();
app.MapFhirApi();
app.Run();

/// <summary>The node host; public so functional tests can start it with WebApplicationFactory.</summary>
public partial class Program;
