using System.Text;
using Hl7.Fhir.Model;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Persistence;
using Referral.Tests;

namespace Referral.Fhir.Tests.Search;

/// <summary>
/// Plain element-path expressions are walked on the POCOs instead of run through the FHIRPath engine; the index rows
/// (what search answers from) must come out exactly the same for real data.
/// </summary>
public sealed class ElementPathTests
{
    private static readonly SearchParameterRegistry Registry = new();
    private static readonly SearchIndexer Walking = new(Registry, walkElementPaths: true);
    private static readonly SearchIndexer FhirPathOnly = new(Registry, walkElementPaths: false);

    [Fact]
    public void Walked_paths_give_the_same_index_rows_as_the_fhirpath_engine_for_every_synthea_resource()
    {
        var resources = SyntheaData.Files.SelectMany(f => SyntheaData.Load(f).Entry.Select(e => e.Resource).OfType<Resource>()).ToList();
        Assert.True(resources.Count > 1000, $"only {resources.Count} Synthea resources were found");
        Assert.All(resources, AssertSameRows);
    }

    [Fact]
    public void Walked_paths_give_the_same_rows_when_the_transaction_says_what_its_urn_references_point_at()
    {
        // Inside a transaction the indexer learns each urn:uuid's type from the fullUrls, so resolve() is decided.
        foreach (var file in SyntheaData.Files.Take(3))
        {
            var bundle = SyntheaData.Load(file);
            var types = bundle.Entry.Where(e => e.FullUrl is not null && e.Resource is not null)
                .ToDictionary(e => e.FullUrl!, e => e.Resource!.TypeName, StringComparer.Ordinal);
            string? TypeOf(string reference) => types.GetValueOrDefault(reference);
            Assert.All(bundle.Entry.Select(e => e.Resource).OfType<Resource>(), r => Assert.Equal(Rows(FhirPathOnly, r, TypeOf), Rows(Walking, r, TypeOf)));
        }
    }

    [Fact]
    public void Walked_paths_give_the_same_index_rows_for_an_audit_event_the_node_writes()
    {
        var audit = new AuditEvent
        {
            Id = "a1",
            Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow, VersionId = "1" },
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
            Subtype = [new Coding("http://hl7.org/fhir/restful-interaction", "read")],
            Action = AuditEvent.AuditEventAction.R,
            Recorded = DateTimeOffset.UtcNow,
            Outcome = AuditEvent.AuditEventOutcome.N0,
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    Who = new ResourceReference("Practitioner/p1", "王医生"),
                    AltId = "sub-1",
                    Name = "王医生",
                    Requestor = true,
                    Role = [new CodeableConcept("urn:referral:role", "doctor")],
                    Network = new AuditEvent.NetworkComponent { Address = "127.0.0.1", Type = AuditEvent.AuditEventAgentNetworkType.N2 },
                },
                new AuditEvent.AgentComponent { Who = new ResourceReference("Organization/municipal"), Requestor = false },
            ],
            Source = new AuditEvent.SourceComponent { Site = "municipal", Observer = new ResourceReference("Organization/municipal") },
            Entity =
            [
                new AuditEvent.EntityComponent
                {
                    What = new ResourceReference("Patient/p9"),
                    Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                    Role = new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
                },
                new AuditEvent.EntityComponent { Description = "Patient", Query = Encoding.UTF8.GetBytes("family=王") },
            ],
        };

        AssertSameRows(audit);
        Assert.NotEmpty(Rows(Walking, audit));
    }

    [Theory]
    [InlineData("Patient.name.family", true)]
    [InlineData("Observation.code | Condition.code", true)]
    [InlineData("Resource.meta.lastUpdated", true)]
    [InlineData("(Observation.value as Quantity) | (Observation.value as SampledData)", true)]
    [InlineData("Condition.onset.as(dateTime) | Condition.onset.as(Period)", true)]
    [InlineData("meta.tag", true)]
    [InlineData("(Observation.value as CodeableConcept).text", false)]
    [InlineData("Observation.subject.where(resolve() is Patient)", true)]
    [InlineData("Observation.subject.where(resolve() is Patient).name", false)]
    [InlineData("Observation.subject.where(resolve().active)", false)]
    [InlineData("Patient.name[0].family", false)]
    [InlineData("Bundle.entry[0].resource", false)]
    public void Only_plain_element_paths_are_walked(string expression, bool walked) =>
        Assert.Equal(walked, ElementPath.TryParse(expression) is not null);

    private static void AssertSameRows(Resource resource) =>
        Assert.Equal(Rows(FhirPathOnly, resource), Rows(Walking, resource));

    private static List<string> Rows(SearchIndexer indexer, Resource resource, Func<string, string?>? referenceTypeOf = null)
    {
        var entity = new ResourceEntity { ResourceType = resource.TypeName, ResourceId = resource.Id ?? "x", Method = "PUT", Json = "" };
        indexer.Index(resource, entity, referenceTypeOf);
        IEnumerable<string> rows =
        [
            .. entity.StringIndices.Select(i => $"string {i.Param} {i.Group} {i.Normalized} {i.Exact}"),
            .. entity.TokenIndices.Select(i => $"token {i.Param} {i.Group} {i.System}|{i.Code} {i.Text}"),
            .. entity.DateIndices.Select(i => $"date {i.Param} {i.Group} {i.Start}-{i.End}"),
            .. entity.ReferenceIndices.Select(i => $"reference {i.Param} {i.Group} {i.TargetType}/{i.TargetId} {i.Url} {i.IdentifierSystem}|{i.IdentifierValue}"),
            .. entity.QuantityIndices.Select(i => $"quantity {i.Param} {i.Group} {i.Value} {i.Low}-{i.High} {i.System}|{i.Code}"),
            .. entity.NumberIndices.Select(i => $"number {i.Param} {i.Group} {i.Value} {i.Low}-{i.High}"),
            .. entity.UriIndices.Select(i => $"uri {i.Param} {i.Group} {i.Uri}"),
        ];
        return [.. rows.Order(StringComparer.Ordinal)];
    }
}
