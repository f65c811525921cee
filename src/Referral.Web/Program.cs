using Referral.Fhir;
using Referral.Identity;
using Referral.Persistence;
using Referral.Web;
using Referral.Web.Hardening;
using Referral.Workflow;

var builder = WebApplication.CreateBuilder(args);
builder.AddNodeDefaults();
builder.AddRequestHardening();
builder.AddClientRateLimiting();
builder.Services.AddFhirServer(builder.Configuration);
builder.AddNodeIdentity();
builder.AddReferralWorkflow();

var app = builder.Build();
await app.Services.MigrateFhirDatabaseAsync();
await app.InitializeNodeIdentityAsync();
await app.SeedDemoDataAsync();
app.LogAlliancePartners();
app.UseExceptionHandler();
app.UseRequestHardening();
app.UseNodeAuthentication();
// After authentication, so a client is limited by its identity; before authorization, so floods without a token are limited too.
app.UseClientRateLimiting();
app.UseNodeAuthorization();
app.MapHealthChecks("/health").AllowAnonymous();
app.MapNodeIdentity();
app.MapFhirApi();
app.Run();

/// <summary>The node host; public so functional tests can start it with WebApplicationFactory.</summary>
public partial class Program;
