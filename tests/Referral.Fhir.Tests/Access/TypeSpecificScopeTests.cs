using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Tests.Persistence;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Access;

/// <summary>
/// A read scope narrowed to one resource type lets through exactly the rows of that type the whole scope lets through,
/// and sends the database only the branch for that type.
/// </summary>
public sealed class TypeSpecificScopeTests : IAsyncLifetime
{
    private TemporarySqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TemporarySqliteStore.CreateAsync("type-scope");
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        db.Resources.AddRange(
            Row("Patient", "shared"), Row("Patient", "own-1"), Row("Patient", "other"),
            Row("Observation", "shared"), Row("Observation", "orphan"), Row("Observation", "own-2"),
            Row("Task", "own-3"), Row("Task", "other"), Row("Consent", "shared"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    /// <summary>
    /// Shaped like the organisation filter: a patient branch, a branch for everything else with a type list and a
    /// Task rule, and a subquery whose own ResourceType test is about another row and must stay.
    /// </summary>
    private static Expression<Func<ResourceEntity, bool>> Scope(FhirDbContext db)
    {
        var resources = db.Resources;
        var readable = new[] { "Patient", "Observation", "Task" };
        return r => (r.ResourceType == "Patient" && (r.ResourceId.StartsWith("own") || resources.Any(p => p.ResourceType == "Observation" && p.ResourceId == r.ResourceId)))
            || (r.ResourceType != "Patient" && readable.Contains(r.ResourceType)
                && (resources.Any(p => p.ResourceType == "Patient" && p.ResourceId == r.ResourceId) || (r.ResourceType == "Task" ? r.ResourceId.StartsWith("own") : !r.ResourceId.StartsWith("own"))));
    }

    [Theory]
    [InlineData("Patient", new[] { "own-1", "shared" })]
    [InlineData("Observation", new[] { "orphan", "shared" })]
    [InlineData("Task", new[] { "other", "own-3" })]
    [InlineData("Consent", new string[0])]
    public async Task Each_type_sees_through_its_narrowed_scope_exactly_what_the_whole_scope_shows_it(string type, string[] visible)
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var whole = Scope(db);
        var rows = db.Resources.AsNoTracking().Where(r => r.ResourceType == type);

        var throughWhole = await rows.Where(whole).Select(r => r.ResourceId).OrderBy(id => id).ToListAsync();
        var throughNarrowed = await rows.Where(TypeSpecificScope.For(whole, type)).Select(r => r.ResourceId).OrderBy(id => id).ToListAsync();

        Assert.Equal(visible, throughWhole);
        Assert.Equal(throughWhole, throughNarrowed);
    }

    [Fact]
    public async Task A_patient_read_sends_only_the_patient_branch_and_keeps_the_tests_on_other_rows()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var sql = db.Resources.Where(r => r.ResourceType == "Patient").Where(TypeSpecificScope.For(Scope(db), "Patient")).ToQueryString();

        Assert.DoesNotContain("<> 'Patient'", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("'Task'", sql, StringComparison.Ordinal);
        Assert.Contains("\"ResourceType\" = 'Observation'", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_scope_stays_no_scope_and_a_scope_is_narrowed_once_per_type()
    {
        await using var scope = _store.CreateAsyncScope();
        var whole = Scope(scope.ServiceProvider.GetRequiredService<FhirDbContext>());

        Assert.Null(TypeSpecificScope.For(null, "Patient"));
        Assert.Same(TypeSpecificScope.For(whole, "Task"), TypeSpecificScope.For(whole, "Task"));
        Assert.NotSame(TypeSpecificScope.For(whole, "Task"), TypeSpecificScope.For(whole, "Patient"));
    }

    private static ResourceEntity Row(string type, string id) => new()
    {
        ResourceType = type,
        ResourceId = id,
        VersionId = 1,
        Method = "POST",
        Json = "{}",
    };
}
