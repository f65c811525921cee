using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Transactions;

/// <summary>Visits every Reference in a resource (contained resources included) so a Bundle can point them at the ids it assigned.</summary>
public static class ReferenceRewriter
{
    public static IEnumerable<ResourceReference> References(Base element)
    {
        foreach (var (_, value) in element.EnumerateElements())
        {
            switch (value)
            {
                case ResourceReference reference:
                    yield return reference;
                    foreach (var inner in References(reference))
                    {
                        yield return inner;
                    }

                    break;
                case Base child:
                    foreach (var inner in References(child))
                    {
                        yield return inner;
                    }

                    break;
                case System.Collections.IEnumerable list and not string:
                    foreach (var item in list)
                    {
                        if (item is Base listChild)
                        {
                            if (listChild is ResourceReference listReference)
                            {
                                yield return listReference;
                            }

                            foreach (var inner in References(listChild))
                            {
                                yield return inner;
                            }
                        }
                    }

                    break;
            }
        }
    }
}
