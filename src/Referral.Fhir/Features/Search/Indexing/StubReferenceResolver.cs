using Hl7.Fhir.Model;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>
/// Answers FHIRPath <c>resolve()</c> without a database: it returns an empty resource of the referenced type, which is
/// all that expressions such as <c>subject.where(resolve() is Patient)</c> look at.
/// </summary>
/// <param name="typeOf">Caller knowledge of references that do not name their type, e.g. the fullUrls of a transaction bundle.</param>
/// <param name="untypedAs">The type to assume for references whose type stays unknown; null leaves them unresolved.</param>
internal sealed class StubReferenceResolver(Func<string, string?>? typeOf, string? untypedAs)
{
    /// <summary>Whether a reference of unknown type was asked for, so the caller knows a guess could change the result.</summary>
    public bool MetUntypedReference { get; private set; }

    public PocoNode? Resolve(string reference)
    {
        if (!ReferenceLiteral.TryParse(reference, out var literal))
        {
            return null;
        }

        var type = literal.TargetType ?? typeOf?.Invoke(reference);
        if (type is null)
        {
            MetUntypedReference = true;
            type = untypedAs;
        }

        return type is null ? null : Stub(type, literal.TargetId);
    }

    private static PocoNode? Stub(string type, string? id)
    {
        if (ModelInfo.GetTypeForFhirType(type) is not { IsAbstract: false } clrType ||
            Activator.CreateInstance(clrType) is not Resource resource)
        {
            return null;
        }

        resource.Id = id;
        return resource.ToPocoNode();
    }
}
