using Referral.Fhir;
using Referral.Persistence;
using Referral.Web;
using Referral.Web.Hardening;

var builder = WebApplication.CreateBuilder(args);
builder.AddNodeDefaults();
builder.AddRequestHardening();
builder.AddClientRateLimiting();
builder.Services.AddFhirServer(builder.Configuration);

var app = builder.Build();
await app.Services.MigrateFhirDatabaseAsync();
await app.SeedDemoDataAsync();
app.UseExceptionHandler();
app.UseRequestHardening();
app.UseClientRateLimiting();
app.MapHealthChecks("/health");
app.MapFhirApi();
app.Run();

/// <summary>The node host; public so functional tests can start it with WebApplicationFactory.</summary>
public partial class Program;
