using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.DependencyInjection;
using Referral.Fhir.Features.Access;
using Referral.Fhir.Tests.Persistence;
using Referral.Persistence;

namespace Referral.Fhir.Tests.Access;

/// <summary>
/// Search pages run through compiled queries, one per read scope and shape: each request still gets its own values,
/// each caller its own scope, and a shape EF cannot compile still answers, as ordinary LINQ.
/// </summary>
public sealed class ScopedSearchPagesTests : IAsyncLifetime
{
    private TemporarySqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await TemporarySqliteStore.CreateAsync("search-pages");
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        db.Resources.AddRange(Row("a-1"), Row("a-2"), Row("a-3"), Row("b-1"), Row("b-2"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task The_same_shape_with_other_values_and_pages_finds_what_those_values_find()
    {
        Assert.Equal(["a-1", "a-2", "a-3"], await PageAsync(Unrestricted, "a", skip: 0, take: 10));
        Assert.Equal(["b-2"], await PageAsync(Unrestricted, "b", skip: 1, take: 10));
        Assert.Equal(["a-2"], await PageAsync(Unrestricted, "a", skip: 1, take: 1));
    }

    [Fact]
    public async Task Callers_with_different_scopes_searching_the_same_shape_each_see_only_their_own_rows()
    {
        var seesOnes = new Policy("ones", r => r.ResourceId.EndsWith("-1"));
        var seesTwos = new Policy("twos", r => r.ResourceId.EndsWith("-2"));

        Assert.Equal(["a-1"], await PageAsync(seesOnes, "a", skip: 0, take: 10));
        Assert.Equal(["a-2"], await PageAsync(seesTwos, "a", skip: 0, take: 10));
        Assert.Equal(["b-1"], await PageAsync(seesOnes, "b", skip: 0, take: 10));
    }

    [Fact]
    public async Task A_shape_EF_cannot_compile_runs_as_ordinary_LINQ()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var prefix = "B";

        // Lowered on the client by EF's own parameter extraction; a compiled query would have to send the call to SQL.
        var rows = await ScopedSearchPages.ToListAsync(db, Unrestricted.ReadScopeKey, "Patient", Unrestricted.ReadScope(db),
            within => Current(db).Where(r => r.ResourceId == FirstOf(prefix)).Within(within).OrderBy(r => r.Sid), CancellationToken.None);

        Assert.Equal(["b-1"], rows.Select(r => r.ResourceId));
    }

    [Fact]
    public async Task A_shape_keeps_literals_and_takes_out_captured_values_and_page_bounds()
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();

        var first = QueryShape.Of(Search(db, "a").Skip(0).Take(10).Expression);
        var second = QueryShape.Of(Search(db, "b").Skip(20).Take(5).Expression);
        var otherLiteral = QueryShape.Of(Search(db, "a").Where(r => r.ResourceType == "Observation").Skip(0).Take(10).Expression);

        Assert.True(ExpressionEqualityComparer.Instance.Equals(first.Body, second.Body));
        Assert.False(ExpressionEqualityComparer.Instance.Equals(first.Body, otherLiteral.Body));
        Assert.Equal(["a", "a\uffff", 0, 10], first.Arguments);
        Assert.Equal(["b", "b\uffff", 20, 5], second.Arguments);
    }

    private static string FirstOf(string prefix) => prefix.ToLowerInvariant() + "-1";

    private static IQueryable<ResourceEntity> Current(FhirDbContext db) =>
        db.Resources.AsNoTracking().Where(r => r.ResourceType == "Patient" && !r.IsHistory);

    /// <summary>A string range on a captured prefix, the way string search builds one.</summary>
    private static IQueryable<ResourceEntity> Search(FhirDbContext db, string prefix)
    {
        var upper = prefix + "\uffff";
        return Current(db).Where(r => string.Compare(r.ResourceId, prefix) >= 0 && string.Compare(r.ResourceId, upper) < 0);
    }

    private async Task<string[]> PageAsync(IFhirAccessPolicy access, string prefix, int skip, int take)
    {
        await using var scope = _store.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var rows = await ScopedSearchPages.ToListAsync(db, access.ReadScopeKey, "Patient", TypeSpecificScope.For(access.ReadScope(db), "Patient"),
            within => Search(db, prefix).Within(within).OrderBy(r => r.ResourceId).Skip(skip).Take(take), CancellationToken.None);
        return [.. rows.Select(r => r.ResourceId)];
    }

    private static readonly UnrestrictedAccessPolicy Unrestricted = UnrestrictedAccessPolicy.Instance;

    private sealed class Policy(string key, Expression<Func<ResourceEntity, bool>> scope) : IFhirAccessPolicy
    {
        public void Demand(FhirInteraction interaction, string? resourceType)
        {
        }

        public bool Allows(FhirInteraction interaction, string resourceType) => true;

        public Expression<Func<ResourceEntity, bool>>? ReadScope(FhirDbContext db) => scope;

        public Expression<Func<ResourceEntity, bool>>? WriteScope(FhirDbContext db) => scope;

        public string? ReadScopeKey => key;
    }

    private static ResourceEntity Row(string id) => new()
    {
        ResourceType = "Patient",
        ResourceId = id,
        VersionId = 1,
        Method = "POST",
        Json = "{}",
    };
}
