using System.Text;
using System.Text.Encodings.Web;
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

    private readonly int _maxXmlDepth;

    public FhirSerializer(int maxJsonDepth = 64)
    {
        _strictJson = new JsonSerializerOptions { MaxDepth = maxJsonDepth }.ForFhir(ModelInfo.ModelInspector);
        _compactJson = new JsonSerializerOptions { Encoder = Encoder, MaxDepth = OutputMaxDepth }.ForFhir(ModelInfo.ModelInspector);
        _prettyJson = new JsonSerializerOptions { WriteIndented = true, Encoder = Encoder, MaxDepth = OutputMaxDepth }.ForFhir(ModelInfo.ModelInspector);
        // Each XML element level becomes up to two JSON levels (an array and its object), and every resource is stored
        // as JSON: half the JSON limit keeps an accepted XML body within it.
        _maxXmlDepth = Math.Max(1, (maxJsonDepth / 2) - 1);
    }

    /// <summary>
    /// Depth allowed when writing, and when reading what was stored: input was held to the JSON depth limit (at most 256),
    /// and a Bundle around it adds a few levels. Without this, System.Text.Json's default of 64 failed on output
    /// for resources the input limit had accepted.
    /// </summary>
    public const int OutputMaxDepth = 600;

    /// <summary>
    /// Writes Chinese names and '+' as themselves instead of \u escapes: FHIR JSON is served as application/fhir+json,
    /// never embedded in HTML, so HTML-safe escaping only makes records unreadable.
    /// </summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The options used to store resources; compact, no filters.</summary>
    public JsonSerializerOptions StorageOptions => _compactJson;

    public Resource ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        if (!StartsWithObject(utf8Json))
        {
            throw new InvalidResourceException("The body is not a FHIR resource: a JSON object with a resourceType was expected.");
        }

        Resource resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(utf8Json, _strictJson)
                ?? throw new InvalidResourceException("The request body is empty; a FHIR resource was expected.");
        }
        catch (DeserializationFailedException e)
        {
            throw new InvalidResourceException(ToIssues(e.Exceptions, RootType(utf8Json)));
        }
        catch (JsonException e)
        {
            // Not e.Message: for a value of the wrong shape it names the .NET type it was read into.
            var reason = e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"nests deeper than {_strictJson.MaxDepth} levels"
                : "is not valid FHIR JSON";
            throw new InvalidResourceException($"The body {reason} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e.Path);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            // The Firely reader throws these for JSON of an unexpected shape (an array where a resource should be, …).
            throw new InvalidResourceException("The body is not a FHIR resource: its JSON has an unexpected shape.");
        }

        if (ControlCharacterGuard.Find(utf8Json, resource.TypeName) is { } path)
        {
            throw new InvalidResourceException("A string holds a control character; FHIR strings allow only tab, CR and LF.", path);
        }

        return resource;
    }

    /// <summary>Parses a stored resource; stored JSON was validated on write, so no error mapping is needed.</summary>
    public Resource ParseStored(string json) => JsonSerializer.Deserialize<Resource>(json, _compactJson)!;

    public Resource ParseXml(byte[] body)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
            RequireXmlDepth(body, settings);
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            if (_xmlDeserializer.TryDeserializeResource(reader, out var resource, out var errors) && resource is not null)
            {
                return resource;
            }

            throw new InvalidResourceException(ToIssues(errors));
        }
        catch (XmlException e)
        {
            // Not e.Message: it names .NET settings classes, which mean nothing to a FHIR client.
            throw new InvalidResourceException(
                $"The body is not well-formed XML, or declares a DTD, which is not allowed (line {e.LineNumber}, position {e.LinePosition}).");
        }
    }

    // The Firely XML reader has no depth limit, and a resource too deep to store as JSON failed only when it was written.
    private void RequireXmlDepth(byte[] body, XmlReaderSettings settings)
    {
        using var reader = XmlReader.Create(new MemoryStream(body), settings);
        while (reader.Read())
        {
            if (reader.Depth > _maxXmlDepth)
            {
                throw new InvalidResourceException($"The XML body nests deeper than {_maxXmlDepth} levels.");
            }
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
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty, Encoder = Encoder }))
        {
            new BaseFhirJsonSerializer(ModelInfo.ModelInspector).Serialize(resource, writer, () => filter);
        }

        return buffer.ToArray();
    }

    private static bool StartsWithObject(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        try
        {
            // Not valid JSON at all is left to the deserializer, which says where.
            return !reader.Read() || reader.TokenType == JsonTokenType.StartObject;
        }
        catch (JsonException)
        {
            return true;
        }
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
