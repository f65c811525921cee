using System.Text;
using System.Text.Json;
using System.Xml;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Referral.Fhir.Errors;

namespace Referral.Fhir.Serialization;

/// <summary>
/// Reads and writes FHIR R4 JSON and XML with the Firely serializers. Parsing is strict (unknown elements, wrong
/// types and invalid codes are errors), and every error becomes an OperationOutcome issue naming the element.
/// </summary>
public sealed class FhirSerializer
{
    private readonly JsonSerializerOptions _strictJson;
    private readonly JsonSerializerOptions _compactJson;
    private readonly JsonSerializerOptions _prettyJson;
    private readonly BaseFhirXmlSerializer _xmlSerializer = new(ModelInfo.ModelInspector);
    private readonly FhirXmlDeserializer _xmlDeserializer = new();

    public FhirSerializer(int maxJsonDepth = 64)
    {
        _strictJson = new JsonSerializerOptions { MaxDepth = maxJsonDepth }.ForFhir(ModelInfo.ModelInspector);
        _compactJson = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
        _prettyJson = new JsonSerializerOptions { WriteIndented = true }.ForFhir(ModelInfo.ModelInspector);
    }

    /// <summary>The options used to store resources; compact, no filters.</summary>
    public JsonSerializerOptions StorageOptions => _compactJson;

    public Resource ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize<Resource>(utf8Json, _strictJson)
                ?? throw new InvalidResourceException("The request body is empty; a FHIR resource was expected.");
        }
        catch (DeserializationFailedException e)
        {
            throw new InvalidResourceException(ToIssues(e.Exceptions, RootType(utf8Json)));
        }
        catch (JsonException e)
        {
            throw new InvalidResourceException($"The body is not valid JSON: {e.Message}", e.Path);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidResourceException($"The body is not a FHIR resource: {e.Message}");
        }
    }

    /// <summary>Parses a stored resource; stored JSON was validated on write, so no error mapping is needed.</summary>
    public Resource ParseStored(string json) => JsonSerializer.Deserialize<Resource>(json, _compactJson)!;

    public Resource ParseXml(byte[] body)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            if (_xmlDeserializer.TryDeserializeResource(reader, out var resource, out var errors) && resource is not null)
            {
                return resource;
            }

            throw new InvalidResourceException(ToIssues(errors));
        }
        catch (XmlException e)
        {
            throw new InvalidResourceException($"The body is not well-formed XML: {e.Message}");
        }
    }

    public Resource Parse(byte[] body, FhirFormat format) => format == FhirFormat.Xml ? ParseXml(body) : ParseJson(body);

    public string SerializeForStorage(Resource resource) => JsonSerializer.Serialize(resource, _compactJson);

    public byte[] Serialize(Resource resource, FhirFormat format, bool pretty, SerializationFilter? filter = null)
    {
        if (format == FhirFormat.Xml)
        {
            using var stream = new MemoryStream();
            using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Indent = pretty, Encoding = new UTF8Encoding(false) }))
            {
                _xmlSerializer.Serialize(resource, writer, filter is null ? null : () => filter);
            }

            return stream.ToArray();
        }

        if (filter is null)
        {
            return JsonSerializer.SerializeToUtf8Bytes(resource, pretty ? _prettyJson : _compactJson);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty }))
        {
            new BaseFhirJsonSerializer(ModelInfo.ModelInspector).Serialize(resource, writer, () => filter);
        }

        return buffer.ToArray();
    }

    /// <summary>The resourceType of a JSON body, to name elements that validation reports relative to "$this".</summary>
    private static string? RootType(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            while (reader.Read() && reader.CurrentDepth <= 1)
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("resourceType"u8) && reader.Read())
                {
                    return reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static List<OperationOutcome.IssueComponent> ToIssues(IEnumerable<CodedException>? errors, string? rootType = null)
    {
        var issues = new List<OperationOutcome.IssueComponent>();
        foreach (var error in errors ?? [])
        {
            var path = (error as ExtendedCodedException)?.InstancePath;
            if (rootType is not null && path is not null && path.StartsWith("$this", StringComparison.Ordinal))
            {
                path = rootType + path["$this".Length..];
            }

            issues.Add(FhirException.Issue(OperationOutcome.IssueType.Invalid, error.Message, path));
        }

        if (issues.Count == 0)
        {
            issues.Add(FhirException.Issue(OperationOutcome.IssueType.Invalid, "The body could not be read as a FHIR resource.", null));
        }

        return issues;
    }
}

/// <summary>The two FHIR wire formats the node speaks.</summary>
public enum FhirFormat
{
    Json,
    Xml,
}
