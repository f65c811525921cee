using System.Collections;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>
/// A search parameter expression that is nothing but element paths (<c>Patient.name.family</c>, or several joined by
/// <c>|</c>): most R4 parameters are. It is evaluated by walking the POCOs' elements directly, which gives the same
/// values as the FHIRPath engine at a fraction of its cost (no typed-element wrappers, no evaluation context).
/// A union's duplicates are kept: the index rows are made distinct afterwards anyway.
/// </summary>
internal sealed partial class ElementPath
{
    private readonly (string Root, string[] Steps)[] _paths;

    private ElementPath((string Root, string[] Steps)[] paths) => _paths = paths;

    /// <summary>Null when the expression uses anything beyond element names (functions, casts, indexers, resolve()).</summary>
    public static ElementPath? TryParse(string expression)
    {
        var parts = expression.Split('|', StringSplitOptions.TrimEntries);
        if (parts.Any(p => !PathPattern().IsMatch(p)))
        {
            return null;
        }

        return new ElementPath([.. parts.Select(p => p.Split('.')).Select(s => (s[0], s[1..]))]);
    }

    public List<Base> Select(Resource resource)
    {
        var results = new List<Base>();
        foreach (var (root, steps) in _paths)
        {
            // FHIRPath: a path that starts with another type's name selects nothing on this resource.
            if (root != resource.TypeName && root != "Resource" && !(root == "DomainResource" && resource is DomainResource))
            {
                continue;
            }

            Walk(resource, steps, 0, results);
        }

        return results;
    }

    private static void Walk(Base node, string[] steps, int step, List<Base> results)
    {
        if (step == steps.Length)
        {
            results.Add(node);
            return;
        }

        if (!node.TryGetValue(steps[step], out var value))
        {
            return;
        }

        switch (value)
        {
            case Base child:
                Walk(child, steps, step + 1, results);
                break;
            case IEnumerable children:
                foreach (var item in children)
                {
                    if (item is Base element)
                    {
                        Walk(element, steps, step + 1, results);
                    }
                }

                break;
        }
    }

    [GeneratedRegex("^[A-Z][A-Za-z]*(\\.[a-z][A-Za-z0-9]*)+$")]
    private static partial Regex PathPattern();
}
