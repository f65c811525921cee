using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;
using Referral.Persistence;

namespace Referral.Fhir.Features.Search.Indexing;

/// <summary>Builds the search index rows of a resource by evaluating the FHIRPath expression of each of its type's search parameters.</summary>
/// <remarks>Every expression is compiled once in the constructor; afterwards the indexer only reads, so one instance serves all requests.</remarks>
public sealed class SearchIndexer
{
    private readonly Dictionary<string, CompiledSearchParameter[]> _byType = new(StringComparer.Ordinal);

    public SearchIndexer(SearchParameterRegistry registry)
        : this(registry, walkElementPaths: true)
    {
    }

    /// <param name="registry">The search parameters to index.</param>
    /// <param name="walkElementPaths">
    /// Evaluate plain element-path expressions by walking the POCOs (<see cref="ElementPath"/>); false sends every
    /// expression through the FHIRPath engine, which the tests compare against.
    /// </param>
    internal SearchIndexer(SearchParameterRegistry registry, bool walkElementPaths)
    {
        ArgumentNullException.ThrowIfNull(registry);

        // The default symbol table lacks the FHIR functions (resolve(), extension(), …) that search expressions use.
        var compiler = new FhirPathCompiler(new SymbolTable().AddStandardFP().AddFhirExtensions());
        var compiled = new Dictionary<string, CompiledExpression?>(StringComparer.Ordinal);
        var unindexable = new List<SearchParameterInfo>();

        foreach (var type in SearchParameterRegistry.ResourceTypes)
        {
            var parameters = new List<CompiledSearchParameter>();
            foreach (var parameter in registry.ForType(type).OrderBy(p => p.Code, StringComparer.Ordinal))
            {
                if (parameter.Expression is not { } expression)
                {
                    continue;
                }

                CompiledExpression? CompileOnce(string text)
                {
                    if (!compiled.TryGetValue(text, out var result))
                    {
                        compiled[text] = result = TryCompile(compiler, text);
                    }

                    return result;
                }

                var select = CompileOnce(expression);
                var components = parameter.Components.Select(c => CompileOnce(c.Expression)).ToArray();
                if (select is null || components.Any(c => c is null))
                {
                    unindexable.Add(parameter);
                    continue;
                }

                var path = walkElementPaths && parameter.Type != SearchParamType.Composite ? ElementPath.TryParse(expression, parameter.Targets) : null;
                parameters.Add(new CompiledSearchParameter(parameter, select, components!, path));
            }

            _byType[type] = [.. parameters];
        }

        Unindexable = unindexable;
    }

    /// <summary>Parameters whose expression does not compile (typically custom ones); they get no index rows, and startup can report them.</summary>
    public IReadOnlyList<SearchParameterInfo> Unindexable { get; }

    /// <summary>
    /// Replaces the index rows of <paramref name="entity"/> with one row per distinct value of every search parameter of the
    /// resource's type. Rows leave <see cref="IndexEntity.Sid"/> at 0: EF Core sets it through the navigation.
    /// </summary>
    public void Index(Resource resource, ResourceEntity entity) => Index(resource, entity, null);

    /// <inheritdoc cref="Index(Resource, ResourceEntity)"/>
    /// <param name="resource">The resource to index.</param>
    /// <param name="entity">The version row that receives the index rows.</param>
    /// <param name="referenceTypeOf">
    /// The resource type behind a reference that does not spell it out (a transaction's <c>urn:uuid:</c> fullUrls), so
    /// <c>resolve() is Patient</c> can be decided; null or an unknown reference means "not known".
    /// </param>
    public void Index(Resource resource, ResourceEntity entity, Func<string, string?>? referenceTypeOf)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(entity);

        entity.StringIndices.Clear();
        entity.TokenIndices.Clear();
        entity.DateIndices.Clear();
        entity.ReferenceIndices.Clear();
        entity.QuantityIndices.Clear();
        entity.NumberIndices.Clear();
        entity.UriIndices.Clear();

        if (!_byType.TryGetValue(resource.TypeName, out var parameters))
        {
            return;
        }

        PocoNode? root = null;
        foreach (var parameter in parameters)
        {
            if (parameter.Info.Type == SearchParamType.Composite)
            {
                IndexComposite(parameter, root ??= resource.ToPocoNode(), entity, referenceTypeOf);
            }
            else if ((parameter.Path?.Select(resource, referenceTypeOf) ?? Evaluate(parameter, root ??= resource.ToPocoNode(), referenceTypeOf)) is { Count: > 0 } values)
            {
                IndexRows.Add(entity, parameter.Info.Code, parameter.Info.Type, values);
                if (parameter.Info.Type == SearchParamType.Token)
                {
                    CompositeRows.AddIdentifierTypes(entity, parameter.Info.Code, values);
                }
            }
        }
    }

    /// <summary>Each component is evaluated with one base instance as its focus, so its values belong to that instance.</summary>
    private static void IndexComposite(CompiledSearchParameter parameter, PocoNode root, ResourceEntity entity, Func<string, string?>? referenceTypeOf)
    {
        var context = new FhirEvaluationContext { Resource = root, RootResource = root, ElementResolver = new StubReferenceResolver(referenceTypeOf, untypedAs: null).Resolve };
        List<PocoNode> instances;
        try
        {
            instances = parameter.Select([root], context).OfType<PocoNode>().ToList();
        }
        catch (Exception)
        {
            return;
        }

        var perInstance = new List<IReadOnlyList<IReadOnlyList<Base>>>();
        foreach (var instance in instances)
        {
            try
            {
                perInstance.Add([.. parameter.Components.Select(c => (IReadOnlyList<Base>)[.. c([instance], context).Select(n => n?.Poco).OfType<Base>()])]);
            }
            catch (Exception)
            {
                // As for plain parameters: data an expression fails on costs that instance, not the write.
                perInstance.Add([.. parameter.Components.Select(_ => (IReadOnlyList<Base>)[])]);
            }
        }

        CompositeRows.Add(entity, parameter.Info, perInstance);
    }

    private static CompiledExpression? TryCompile(FhirPathCompiler compiler, string expression)
    {
        try
        {
            return compiler.Compile(expression);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <remarks>
    /// A reference whose type is unknown (a <c>urn:uuid:</c> outside its bundle) is tried as each allowed target type, so
    /// <c>patient</c> still finds it: a false match on search is cheaper than an Observation its patient cannot find.
    /// </remarks>
    private static List<Base>? Evaluate(CompiledSearchParameter parameter, PocoNode root, Func<string, string?>? referenceTypeOf)
    {
        var resolver = new StubReferenceResolver(referenceTypeOf, untypedAs: null);
        if (Select(parameter, root, resolver) is not { } values)
        {
            return null;
        }

        if (resolver.MetUntypedReference)
        {
            foreach (var target in parameter.Info.Targets)
            {
                values.AddRange(Select(parameter, root, new StubReferenceResolver(referenceTypeOf, target)) ?? []);
            }
        }

        return values;
    }

    private static List<Base>? Select(CompiledSearchParameter parameter, PocoNode root, StubReferenceResolver resolver)
    {
        var context = new FhirEvaluationContext { Resource = root, RootResource = root, ElementResolver = resolver.Resolve };
        try
        {
            return parameter.Select([root], context).Select(node => node.Poco).OfType<Base>().ToList();
        }
        catch (Exception)
        {
            // An expression that fails on one resource's data costs that parameter, not the whole write.
            return null;
        }
    }
}
