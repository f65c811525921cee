using Microsoft.Extensions.Options;
using Xunit;

namespace Referral.FunctionalTests;

/// <summary>Alliance:Partners is checked when the node starts: a partner it could not call stops it, naming the setting.</summary>
public sealed class AlliancePartnerOptionsTests
{
    [Fact]
    public void A_partner_with_a_relative_url_or_no_secret_stops_the_node_at_start()
    {
        using var node = new NodeFactory("Sqlite", new Dictionary<string, string?>
        {
            ["Alliance:Partners:0:Organization"] = "Organization/cancer-hospital",
            ["Alliance:Partners:0:FhirBase"] = "/fhir",
            ["Alliance:Partners:0:TokenEndpoint"] = "http://127.0.0.1:5200/connect/token",
            ["Alliance:Partners:0:ClientId"] = "municipal-hospital-node",
            ["Alliance:Partners:0:ClientSecret"] = "",
        });

        var error = Assert.ThrowsAny<Exception>(() => node.Server);
        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(validation.Failures, f => f.StartsWith("Alliance:Partners:0:FhirBase", StringComparison.Ordinal));
        Assert.Contains(validation.Failures, f => f.StartsWith("Alliance:Partners:0:ClientSecret", StringComparison.Ordinal));
        Assert.DoesNotContain(validation.Failures, f => f.Contains("TokenEndpoint", StringComparison.Ordinal));
    }

    private static Exception Unwrap(Exception e) => e is AggregateException or InvalidOperationException && e.InnerException is { } inner ? Unwrap(inner) : e;
}
