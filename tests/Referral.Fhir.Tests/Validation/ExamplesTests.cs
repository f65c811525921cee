using Hl7.Fhir.Model;
using static Referral.Fhir.Tests.Validation.AllianceProfiles;

namespace Referral.Fhir.Tests.Validation;

public sealed class ExamplesTests
{
    public static TheoryData<string, string> Examples => new()
    {
        { "referral-request-up.json", ReferralProfile },
        { "referral-task.json", TaskProfile },
        { "consultation-request.json", ConsultationProfile },
        { "back-referral-summary.json", SummaryProfile },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_conforms_to_its_profile_and_claims_it(string file, string profile)
    {
        var example = Example<Resource>(file);

        Assert.Empty(Validate(example, profile));
        Assert.Equal([profile], example.Meta!.Profile);
    }

    [Fact]
    public void The_folder_holds_the_five_structure_definitions_and_the_value_sets_they_bind()
    {
        Assert.Equal(
            [SummaryProfile, ConsultationProfile, ReferralProfile, TaskProfile, DirectionExtension],
            Resources.StructureDefinitions.Select(s => s.Url).Order(StringComparer.Ordinal));
        Assert.Contains(("http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS", "4.0"), Resources.ValueSetCodes(AllianceBase + "/ValueSet/referral-business-status")!);
        Assert.Contains((AllianceBase + "/CodeSystem/referral-business-status", "awaiting-information"), Resources.ValueSetCodes(AllianceBase + "/ValueSet/referral-business-status")!);
        Assert.Equal(10, Resources.ValueSetCodes(AllianceBase + "/ValueSet/referral-reason")!.Count);
        Assert.Equal(3, Resources.ValueSetCodes(AllianceBase + "/ValueSet/referral-urgency")!.Count);
    }
}
