using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Search.Indexing;
using Referral.Persistence;
using Referral.Tests;

namespace Referral.Fhir.Tests.Search;

public sealed class SearchIndexerTests
{
    // Compiling every R4 expression takes a moment; the indexer is a shared, read-only singleton in the server too.
    private static readonly SearchIndexer Indexer = new(new SearchParameterRegistry());

    private static readonly Lazy<Bundle> PatientOne = new(() => SyntheaData.LoadNamed("patient-01.json"));

    [Fact]
    public void Indexing_a_patient_extracts_family_given_and_identifier_tokens()
    {
        var patient = First<Patient>();
        var entity = IndexOf(patient);

        var family = patient.Name[0].Family;
        var given = patient.Name[0].Given.First();
        Assert.Contains(entity.StringIndices, s => s.Param == "family" && s.Exact == family && s.Normalized == StringNormalizer.Normalize(family));
        Assert.Contains(entity.StringIndices, s => s.Param == "given" && s.Exact == given);
        Assert.Contains(entity.StringIndices, s => s.Param == "name" && s.Exact == family);
        Assert.Contains(entity.StringIndices, s => s.Param == "name" && s.Exact == given);
        Assert.All(entity.StringIndices, s => Assert.Equal("Patient", s.ResourceType));

        var identifier = patient.Identifier.First(i => i.System is not null);
        Assert.Contains(entity.TokenIndices, t => t.Param == "identifier" && t.System == identifier.System && t.Code == identifier.Value);
    }

    [Fact]
    public void Indexing_a_patient_extracts_birthdate_gender_and_address()
    {
        var patient = First<Patient>();
        var entity = IndexOf(patient);

        Assert.True(DateRange.TryParse(patient.BirthDate, out var birthDate));
        var row = Assert.Single(entity.DateIndices, d => d.Param == "birthdate");
        Assert.Equal(birthDate.StartTicks, row.Start);
        Assert.Equal(birthDate.Start.AddDays(1).Ticks - 1, row.End);

        var gender = Assert.Single(entity.TokenIndices, t => t.Param == "gender");
        Assert.Equal(patient.Gender.GetLiteral(), gender.Code);
        Assert.Equal("http://hl7.org/fhir/administrative-gender", gender.System);

        Assert.Contains(entity.StringIndices, s => s.Param == "address-city" && s.Exact == patient.Address[0].City);
        Assert.Contains(entity.StringIndices, s => s.Param == "address" && s.Exact == patient.Address[0].Line.First());
    }

    [Fact]
    public void Indexing_an_observation_extracts_code_date_value_and_urn_subject()
    {
        var observation = First<Observation>(o => o.Value is Quantity);
        var entity = IndexOf(observation);
        var subject = observation.Subject!.Reference;
        Assert.StartsWith("urn:uuid:", subject, StringComparison.Ordinal);

        Assert.Contains(entity.ReferenceIndices, r => r.Param == "subject" && r.Url == subject && r.TargetType is null);
        Assert.Contains(entity.ReferenceIndices, r => r.Param == "patient" && r.Url == subject);

        var coding = observation.Code.Coding[0];
        Assert.Equal("http://loinc.org", coding.System);
        // Display and text are stored folded, as :text compares them.
        Assert.Contains(entity.TokenIndices, t => t.Param == "code" && t.System == "http://loinc.org" && t.Code == coding.Code && t.Text == StringNormalizer.Normalize(coding.Display!));
        Assert.Contains(entity.TokenIndices, t => t.Param == "code" && t.System == null && t.Code == null && t.Text == StringNormalizer.Normalize(observation.Code.Text!));

        Assert.True(DateRange.TryParse(((FhirDateTime)observation.Effective!).Value, out var effective));
        Assert.Contains(entity.DateIndices, d => d.Param == "date" && d.Start == effective.StartTicks && d.End == effective.EndTicks);

        var quantity = (Quantity)observation.Value!;
        var value = Assert.Single(entity.QuantityIndices, q => q.Param == "value-quantity");
        Assert.Equal((double)quantity.Value!.Value, value.Value);
        Assert.Equal(quantity.System, value.System);
        Assert.Equal(quantity.Code, value.Code);
        var precision = DecimalRange.FromValue(quantity.Value.Value);
        Assert.Equal(((double)precision.Low, (double)precision.High), (value.Low, value.High));
    }

    [Fact]
    public void Indexing_a_blood_pressure_panel_keeps_each_component_code_with_its_own_value()
    {
        var panel = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "85354-9"),
            Component =
            [
                new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8480-6"), Value = new Quantity(150, "mm[Hg]") },
                new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8462-4"), Value = new Quantity(90, "mm[Hg]") },
            ],
        };

        var entity = IndexOf(panel);

        int GroupOf(string code) => entity.TokenIndices.Single(t => t.Param == "component-code-value-quantity$0" && t.Code == code).Group;
        var systolic = GroupOf("8480-6");
        var diastolic = GroupOf("8462-4");
        Assert.NotEqual(systolic, diastolic);
        Assert.Equal(150, entity.QuantityIndices.Single(q => q.Param == "component-code-value-quantity$1" && q.Group == systolic).Value);
        Assert.Equal(90, entity.QuantityIndices.Single(q => q.Param == "component-code-value-quantity$1" && q.Group == diastolic).Value);

        // The panel's own code has no value, so the Observation-level composite gets no rows; combo has both components.
        Assert.DoesNotContain(entity.TokenIndices, t => t.Param.StartsWith("code-value-quantity$", StringComparison.Ordinal));
        Assert.Equal(2, entity.QuantityIndices.Count(q => q.Param == "combo-code-value-quantity$1"));
        Assert.All(entity.TokenIndices.Where(t => t.Param == "code"), t => Assert.Equal(0, t.Group));
    }

    [Fact]
    public void Indexing_a_typed_identifier_pairs_its_type_with_its_value()
    {
        var patient = new Patient
        {
            Identifier =
            [
                new Identifier("http://hospital/mrn", "111") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR") },
                new Identifier("http://dmv.example", "999") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "DL") },
                new Identifier("http://untyped.example", "555"),
            ],
        };

        var entity = IndexOf(patient);

        var mr = entity.TokenIndices.Single(t => t.Param == "identifier:of-type$0" && t.Code == "MR");
        Assert.Equal("http://terminology.hl7.org/CodeSystem/v2-0203", mr.System);
        Assert.Equal("111", entity.TokenIndices.Single(t => t.Param == "identifier:of-type$1" && t.Group == mr.Group).Code);
        Assert.Equal(2, entity.TokenIndices.Count(t => t.Param == "identifier:of-type$1"));
    }

    [Fact]
    public void Indexing_a_condition_extracts_its_snomed_code()
    {
        var condition = First<Condition>();
        var entity = IndexOf(condition);

        var coding = condition.Code!.Coding[0];
        Assert.Contains(entity.TokenIndices, t => t.Param == "code" && t.System == "http://snomed.info/sct" && t.Code == coding.Code);
        Assert.Contains(entity.TokenIndices, t => t.Param == "clinical-status" && t.Code == "resolved");
        Assert.All(entity.TokenIndices, t => Assert.Equal("Condition", t.ResourceType));
    }

    [Fact]
    public void Indexing_a_relative_reference_stores_target_type_and_id_for_subject_and_patient()
    {
        var observation = new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8302-2"), Subject = new ResourceReference("Patient/123") };
        var entity = IndexOf(observation);

        foreach (var param in new[] { "subject", "patient" })
        {
            var row = Assert.Single(entity.ReferenceIndices, r => r.Param == param);
            Assert.Equal("Patient", row.TargetType);
            Assert.Equal("123", row.TargetId);
            Assert.Null(row.Url);
            Assert.Equal(0, row.Sid);
        }
    }

    [Fact]
    public void Indexing_a_group_subject_does_not_index_it_as_patient()
    {
        var observation = new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "8302-2"), Subject = new ResourceReference("Group/7/_history/3") };
        var entity = IndexOf(observation);

        var subject = Assert.Single(entity.ReferenceIndices, r => r.Param == "subject");
        Assert.Equal(("Group", "7"), (subject.TargetType, subject.TargetId));
        Assert.DoesNotContain(entity.ReferenceIndices, r => r.Param == "patient");
    }

    [Fact]
    public void Indexing_absolute_contained_and_logical_references()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8302-2"),
            Subject = new ResourceReference("http://other.example/fhir/Patient/abc"),
            Performer = { new ResourceReference("#p1"), new ResourceReference { Identifier = new Identifier("http://npi", "999") } },
            Contained = { new Practitioner { Id = "p1" } },
        };
        var entity = IndexOf(observation);

        var subject = Assert.Single(entity.ReferenceIndices, r => r.Param == "subject");
        Assert.Equal(("Patient", "abc", "http://other.example/fhir/Patient/abc"), (subject.TargetType, subject.TargetId, subject.Url));
        var performer = Assert.Single(entity.ReferenceIndices, r => r.Param == "performer");
        Assert.Equal(("http://npi", "999"), (performer.IdentifierSystem, performer.IdentifierValue));
    }

    [Fact]
    public void Indexing_a_transaction_entry_types_urn_references_from_the_bundle()
    {
        var bundle = PatientOne.Value;
        var typeOf = bundle.Entry.ToDictionary(e => e.FullUrl!, e => e.Resource!.TypeName, StringComparer.Ordinal);
        var encounter = bundle.Entry.Select(e => e.Resource).OfType<Encounter>().First(e => e.Participant.Count > 0);
        var entity = new ResourceEntity { ResourceType = "Encounter", ResourceId = encounter.Id!, Method = "POST", Json = "" };

        Indexer.Index(encounter, entity, reference => typeOf.GetValueOrDefault(reference));

        var practitioner = encounter.Participant[0].Individual!.Reference;
        Assert.Contains(entity.ReferenceIndices, r => r.Param == "practitioner" && r.Url == practitioner);
        Assert.Contains(entity.ReferenceIndices, r => r.Param == "patient" && r.Url == encounter.Subject!.Reference);
    }

    [Fact]
    public void Indexing_numbers_dates_periods_money_and_uris()
    {
        var claim = new Claim
        {
            Status = FinancialResourceStatusCodes.Active,
            Created = "2021-03",
        };
        var risk = new RiskAssessment { Status = ObservationStatus.Final, Prediction = { new RiskAssessment.PredictionComponent { Probability = new FhirDecimal(0.25m) } } };
        var valueSet = new ValueSet { Url = "http://example.org/ValueSet/x", Status = PublicationStatus.Active };

        var claimRows = IndexOf(claim);
        var created = Assert.Single(claimRows.DateIndices, d => d.Param == "created");
        Assert.Equal(new DateTime(2021, 3, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, created.Start);
        Assert.Equal(new DateTime(2021, 4, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - 1, created.End);

        var encounter = IndexOf(new Encounter { Period = new Period { Start = "2021-03-01" } });
        var period = Assert.Single(encounter.DateIndices, d => d.Param == "date");
        Assert.Equal((new DateTime(2021, 3, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, DateTime.MaxValue.Ticks), (period.Start, period.End));

        var charge = IndexOf(new ChargeItem { PriceOverride = new Money { Value = 12.50m, Currency = Money.Currencies.EUR } });
        var price = Assert.Single(charge.QuantityIndices, q => q.Param == "price-override");
        Assert.Equal(("urn:iso:std:iso:4217", "EUR", 12.5, 12.495, 12.505), (price.System, price.Code, price.Value, price.Low, price.High));

        var probability = Assert.Single(IndexOf(risk).NumberIndices, n => n.Param == "probability");
        Assert.Equal((0.25, 0.245, 0.255), (probability.Value, probability.Low, probability.High), new ToleranceComparer());

        var url = Assert.Single(IndexOf(valueSet).UriIndices, u => u.Param == "url");
        Assert.Equal("http://example.org/ValueSet/x", url.Uri);
    }

    [Fact]
    public void Indexing_twice_replaces_rows_and_never_duplicates_them()
    {
        var patient = new Patient { Name = { new HumanName { Family = "Müller", Given = ["Anna", "Anna"] } } };
        var entity = IndexOf(patient);
        Indexer.Index(patient, entity);

        var given = Assert.Single(entity.StringIndices, s => s.Param == "given");
        Assert.Equal(("anna", "Anna"), (given.Normalized, given.Exact));
        var family = Assert.Single(entity.StringIndices, s => s.Param == "family");
        Assert.Equal(("muller", "Müller"), (family.Normalized, family.Exact));
    }

    [Fact]
    public void Indexing_a_deceased_patient_indexes_the_computed_boolean()
    {
        var entity = IndexOf(new Patient { Deceased = new FhirDateTime("2020-01-01") });

        var deceased = Assert.Single(entity.TokenIndices, t => t.Param == "deceased");
        Assert.Equal("true", deceased.Code);
    }

    [Fact]
    public void Indexing_every_resource_of_the_sample_bundles_succeeds()
    {
        var rows = 0;
        Parallel.ForEach(SyntheaData.Files, file =>
        {
            foreach (var resource in SyntheaData.Load(file).Entry.Select(e => e.Resource))
            {
                var entity = IndexOf(resource!);
                Interlocked.Add(ref rows, entity.StringIndices.Count + entity.TokenIndices.Count + entity.DateIndices.Count +
                    entity.ReferenceIndices.Count + entity.QuantityIndices.Count + entity.NumberIndices.Count + entity.UriIndices.Count);
                Assert.All(entity.ReferenceIndices, r => Assert.False(r.TargetType is null && r.Url is null && r.IdentifierValue is null && r.IdentifierSystem is null));
            }
        });

        Assert.True(rows > 10_000, $"only {rows} rows");
    }

    private static T First<T>(Func<T, bool>? predicate = null)
        where T : Resource =>
        PatientOne.Value.Entry.Select(e => e.Resource).OfType<T>().First(predicate ?? (_ => true));

    private static ResourceEntity IndexOf(Resource resource)
    {
        var entity = new ResourceEntity { ResourceType = resource.TypeName, ResourceId = resource.Id ?? "x", Method = "PUT", Json = "" };
        Indexer.Index(resource, entity);
        return entity;
    }

    private sealed class ToleranceComparer : IEqualityComparer<(double, double, double)>
    {
        public bool Equals((double, double, double) x, (double, double, double) y) =>
            Math.Abs(x.Item1 - y.Item1) < 1e-9 && Math.Abs(x.Item2 - y.Item2) < 1e-9 && Math.Abs(x.Item3 - y.Item3) < 1e-9;

        public int GetHashCode((double, double, double) obj) => 0;
    }
}
