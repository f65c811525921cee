using Referral.Fhir.Features.Search;
using Referral.Fhir.Features.Validation;

namespace Referral.Fhir.Tests.Validation;

public sealed class ConformanceLoadingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "referral-profiles-" + Guid.NewGuid().ToString("N"));

    public ConformanceLoadingTests()
    {
        // A copy of the real folder, to break one file at a time.
        foreach (var file in Directory.EnumerateFiles(AllianceProfiles.Folder, "*.json", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder, Path.GetRelativePath(AllianceProfiles.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string relative) => Path.Combine(_folder, relative);

    private void Replace(string relative, string from, string to)
    {
        var text = File.ReadAllText(PathOf(relative));
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(PathOf(relative), text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void The_unchanged_copy_loads()
    {
        Assert.Equal(5, ConformanceResources.Load(_folder).StructureDefinitions.Count);
    }

    [Fact]
    public void No_folder_means_no_profiles()
    {
        Assert.Empty(ConformanceResources.Load(null).StructureDefinitions);
        Assert.Empty(ConformanceResources.Load(Path.Combine(_folder, "missing")).StructureDefinitions);
    }

    [Fact]
    public void A_file_that_is_not_JSON_fails_the_load_naming_the_file()
    {
        File.WriteAllText(PathOf("ValueSet/broken.json"), "{ \"resourceType\": \"ValueSet\", ");

        var error = Assert.Throws<InvalidConformanceResourceException>(() => ConformanceResources.Load(_folder));
        Assert.EndsWith("broken.json", error.File, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_FHIR_fails_the_load_naming_the_file()
    {
        Replace("CodeSystem/referral-reason.json", "\"content\": \"complete\"", "\"content\": \"everything\"");

        var error = Assert.Throws<InvalidConformanceResourceException>(() => ConformanceResources.Load(_folder));
        Assert.EndsWith("referral-reason.json", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_binding_to_a_value_set_the_node_does_not_hold_fails_the_load()
    {
        File.Delete(PathOf("ValueSet/rejection-reason.json"));

        var error = Assert.Throws<InvalidConformanceResourceException>(() => ConformanceResources.Load(_folder));
        Assert.EndsWith("alliance-referral-task.json", error.File, StringComparison.Ordinal);
        Assert.Contains("ValueSet/rejection-reason", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_set_taking_a_whole_code_system_the_node_does_not_hold_fails_the_load()
    {
        File.Delete(PathOf("CodeSystem/referral-reason.json"));

        var error = Assert.Throws<InvalidConformanceResourceException>(() => ConformanceResources.Load(_folder));
        Assert.EndsWith(Path.Combine("ValueSet", "referral-reason.json"), error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invariant_that_is_not_FHIRPath_fails_the_load()
    {
        Replace("StructureDefinition/alliance-referral-task.json", "implies statusReason.exists()", "implies statusReason.exists(");

        var error = Assert.Throws<InvalidConformanceResourceException>(() => ConformanceResources.Load(_folder));
        Assert.Contains("tsk-rej", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_search_parameter_file_names_the_file_too()
    {
        File.WriteAllText(PathOf("SearchParameter/broken.json"), "{ \"resourceType\": \"SearchParameter\", \"status\": 7 }");

        var error = Assert.Throws<InvalidConformanceResourceException>(() => SearchParameterRegistry.LoadCustom(_folder));
        Assert.EndsWith("broken.json", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void The_alliance_search_parameters_load_with_the_profiles()
    {
        var registry = new SearchParameterRegistry(SearchParameterRegistry.LoadCustom(_folder));

        Assert.True(registry.TryGet("ServiceRequest", "direction", out _));
        Assert.True(registry.TryGet("ServiceRequest", "reason-code", out _));
    }
}
