using Hl7.Fhir.ElementModel;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Validation;

/// <summary>
/// Compares an instance node with a fixed[x] or pattern[x] value. Fixed: the same values and nothing more. Pattern: every
/// value of the pattern is in the instance (each repetition in the pattern matches some repetition of the instance), and
/// the instance may carry more.
/// </summary>
public static class PatternMatcher
{
    public static bool Matches(ITypedElement instance, DataType expected, bool exact) => Matches(instance, expected.ToPocoNode(), exact);

    private static bool Matches(ITypedElement instance, ITypedElement expected, bool exact)
    {
        if (expected.Value is { } value && !string.Equals(Text(value), instance.Value is { } actual ? Text(actual) : null, StringComparison.Ordinal))
        {
            return false;
        }

        if (exact && expected.Value is null && instance.Value is not null)
        {
            return false;
        }

        var wanted = expected.Children().GroupBy(c => c.Name).ToList();
        if (exact)
        {
            var names = wanted.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            if (instance.Children().Any(c => !names.Contains(c.Name)))
            {
                return false;
            }
        }

        foreach (var group in wanted)
        {
            var present = instance.Children(group.Key).ToList();
            if (exact)
            {
                var expectedItems = group.ToList();
                if (present.Count != expectedItems.Count || present.Zip(expectedItems).Any(p => !Matches(p.First, p.Second, exact: true)))
                {
                    return false;
                }
            }
            else if (!group.All(e => present.Any(p => Matches(p, e, exact: false))))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(object value) => value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
