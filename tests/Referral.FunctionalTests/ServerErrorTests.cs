using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Persistence;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>
/// A real server-side failure (the resource table gone from under a running node) in the Development environment,
/// where ASP.NET Core would show exception pages: the client still gets only a generic 500 OperationOutcome.
/// </summary>
public abstract class ServerErrorTests(string provider)
{
    [Fact]
    public async System.Threading.Tasks.Task A_failing_database_gives_a_500_OperationOutcome_with_no_exception_details_even_in_Development()
    {
        using var node = new ConfiguredNode(provider, new Dictionary<string, string>(), environment: "Development");
        var client = node.Factory.CreateClient();
        var patient = await client.CreateAsync(new Patient { Name = [new HumanName { Family = "Beforefailure" }] });
        await BreakDatabaseAsync(node);

        foreach (var request in new Func<HttpRequestMessage>[]
        {
            () => new(HttpMethod.Get, $"/fhir/Patient/{patient.Id}"),
            () => new(HttpMethod.Get, "/fhir/Patient?family=Beforefailure"),
            () => new(HttpMethod.Get, "/fhir/_history"),
            () => new(HttpMethod.Post, "/fhir/Patient") { Content = FhirClient.Body(new Patient { Name = [new HumanName { Family = "Afterfailure" }] }) },
            () => new(HttpMethod.Delete, $"/fhir/Patient/{patient.Id}"),
        })
        {
            using var message = request();
            using var response = await client.SendAsync(message);

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var outcome = await OutcomeAssert.OutcomeAsync(response);
            Assert.Equal(OperationOutcome.IssueType.Exception, outcome.Issue.Single().Code);
        }
    }

    private static async System.Threading.Tasks.Task BreakDatabaseAsync(ConfiguredNode node)
    {
        using var scope = node.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var table = db.Model.FindEntityType(typeof(ResourceEntity))!.GetTableName();
        // Renaming works the same on SQLite and PostgreSQL; queries against the old name then fail inside the provider.
#pragma warning disable EF1002 // The table name comes from the EF model, not from input.
        await db.Database.ExecuteSqlRawAsync($"ALTER TABLE \"{table}\" RENAME TO \"{table}_gone\"");
#pragma warning restore EF1002
    }
}

public sealed class SqliteServerErrorTests() : ServerErrorTests("Sqlite");

public sealed class PostgresServerErrorTests() : ServerErrorTests("PostgreSql");
