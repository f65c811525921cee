using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Referral.Fhir.Errors;
using Referral.Fhir.Serialization;

namespace Referral.Fhir.Features.Patch;

/// <summary>
/// An RFC 6902 JSON Patch applied to a resource's JSON. FHIR patches the wire form of a resource, so the patch works on
/// the JSON tree and the result is parsed (and validated) again as a resource afterwards.
/// </summary>
public sealed class JsonPatchDocument
{
    private readonly List<JsonObject> _operations;

    private JsonPatchDocument(List<JsonObject> operations) => _operations = operations;

    public static JsonPatchDocument Parse(byte[] body)
    {
        JsonNode? root;
        try
        {
            // Duplicate keys would otherwise surface as an ArgumentException (a 500) on first access to the object.
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"The JSON Patch is not valid JSON: {e.Message}");
        }

        if (root is not JsonArray array)
        {
            throw new BadRequestException("A JSON Patch must be a JSON array of operations.");
        }

        var operations = new List<JsonObject>();
        for (var i = 0; i < array.Count; i++)
        {
            operations.Add(array[i] as JsonObject ?? throw new BadRequestException($"Patch operation {i} is not a JSON object.", $"[{i}]"));
        }

        return new JsonPatchDocument(operations);
    }

    /// <summary>Patches a stored resource and parses the result strictly; a patch may not change the type or id.</summary>
    public Resource ApplyTo(string currentJson, string type, string id, FhirSerializer serializer, string? expression = null)
    {
        // Stored JSON may be as deep as the input limit allowed, which can exceed System.Text.Json's default of 64.
        var node = Apply(JsonNode.Parse(currentJson, documentOptions: new JsonDocumentOptions { MaxDepth = FhirSerializer.OutputMaxDepth })!);
        var patched = serializer.ParseJson(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(serializer.StorageOptions)));
        if (patched.TypeName != type || patched.Id != id)
        {
            throw new InvalidResourceException("A patch may not change the resource type or id.", expression ?? "id");
        }

        return patched;
    }

    public JsonNode Apply(JsonNode document)
    {
        for (var i = 0; i < _operations.Count; i++)
        {
            var operation = _operations[i];
            var op = operation["op"]?.GetValue<string>() ?? throw Error(i, "has no 'op'");
            var path = operation["path"]?.GetValue<string>() ?? throw Error(i, "has no 'path'");
            switch (op)
            {
                case "add":
                    document = Add(document, path, RequiredValue(operation, i), i);
                    break;
                case "remove":
                    Remove(document, path, i);
                    break;
                case "replace":
                    Remove(document, path, i);
                    document = Add(document, path, RequiredValue(operation, i), i);
                    break;
                case "move":
                    {
                        var from = From(operation, i);
                        var value = Get(document, from, i);
                        Remove(document, from, i);
                        document = Add(document, path, value, i);
                        break;
                    }

                case "copy":
                    document = Add(document, path, Get(document, From(operation, i), i).DeepClone(), i);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path, i), operation["value"]))
                    {
                        throw new PreconditionFailedException($"Patch operation {i} (test) failed: the value at '{path}' differs.", path);
                    }

                    break;
                default:
                    throw Error(i, $"has unknown op '{op}'");
            }
        }

        return document;
    }

    private static JsonNode Add(JsonNode document, string path, JsonNode? value, int index)
    {
        if (path.Length == 0)
        {
            return value ?? throw Error(index, "replaces the whole document with null");
        }

        var (parent, key) = Parent(document, path, index);
        value = value?.DeepClone();
        switch (parent)
        {
            case JsonObject obj:
                obj[key] = value;
                break;
            case JsonArray array when key == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at <= array.Count:
                array.Insert(at, value);
                break;
            default:
                throw Error(index, $"has a path '{path}' that does not exist");
        }

        return document;
    }

    private static void Remove(JsonNode document, string path, int index)
    {
        var (parent, key) = Parent(document, path, index);
        var removed = parent switch
        {
            JsonObject obj => obj.Remove(key),
            JsonArray array when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at < array.Count
                => RemoveAt(array, at),
            _ => false,
        };
        if (!removed)
        {
            throw Error(index, $"has a path '{path}' that does not exist");
        }
    }

    private static bool RemoveAt(JsonArray array, int at)
    {
        array.RemoveAt(at);
        return true;
    }

    private static JsonNode Get(JsonNode document, string path, int index)
    {
        var node = document;
        foreach (var segment in Segments(path))
        {
            node = Child(node, segment) ?? throw Error(index, $"has a path '{path}' that does not exist");
        }

        return node;
    }

    private static (JsonNode Parent, string Key) Parent(JsonNode document, string path, int index)
    {
        var segments = Segments(path);
        var node = document;
        foreach (var segment in segments[..^1])
        {
            node = Child(node, segment) ?? throw Error(index, $"has a path '{path}' that does not exist");
        }

        return (node, segments[^1]);
    }

    private static JsonNode? Child(JsonNode node, string segment) => node switch
    {
        JsonObject obj => obj[segment],
        JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at < array.Count => array[at],
        _ => null,
    };

    private static string[] Segments(string path)
    {
        if (!path.StartsWith('/'))
        {
            throw new BadRequestException($"JSON Pointer '{path}' must start with '/'.", "path");
        }

        return [.. path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? RequiredValue(JsonObject operation, int index) =>
        operation.ContainsKey("value") ? operation["value"] : throw Error(index, "has no 'value'");

    private static string From(JsonObject operation, int index) =>
        operation["from"]?.GetValue<string>() ?? throw Error(index, "has no 'from'");

    private static BadRequestException Error(int index, string problem) =>
        new($"Patch operation {index} {problem}.", $"[{index}]");
}
