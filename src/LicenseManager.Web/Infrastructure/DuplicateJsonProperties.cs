using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// Finds a property named twice in one JSON object, exactly or differing only in case. The API binds names without
/// regard to case, so `eventId` and `EVENTID` are the same field: accepting both would let the last one win silently.
/// </summary>
public static class DuplicateJsonProperties
{
    public const string Code = "duplicate_property";

    /// <summary>The path of the first repeated property (e.g. "org.ID"), or null. Malformed JSON gives null: the deserializer reports it.</summary>
    /// <remarks>
    /// On every signed install event's path, so it allocates little: the names of each open object in a list (objects
    /// here have a handful of properties, a linear scan beats a hash set) and the path only once a repeat is found.
    /// </remarks>
    public static string? Find(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        // Per open object or array: the names seen so far (null for an array) and the property that holds it.
        var scopes = new List<(List<string>? Names, string? HeldBy)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var heldBy = scopes.Count == 0 || scopes[^1].Names is null ? null : property;
                        scopes.Add((reader.TokenType == JsonTokenType.StartObject ? new List<string>(8) : null, heldBy));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.RemoveAt(scopes.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        var names = scopes[^1].Names!;
                        foreach (var seen in names)
                            if (string.Equals(seen, property, StringComparison.OrdinalIgnoreCase)) return PathOf(scopes, property);
                        names.Add(property);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
    }

    // "org.ID", "items[].name": each level's holding property, "[]" for an array's element.
    private static string PathOf(List<(List<string>? Names, string? HeldBy)> scopes, string property)
    {
        var path = "";
        for (var i = 1; i < scopes.Count; i++)
            path = scopes[i - 1].Names is null ? path + "[]" : Join(path, scopes[i].HeldBy!);
        return Join(path, property);
    }

    public static ObjectResult Problem(string path) =>
        ApiProblem.Result(400, Code, "A property is named twice.", $"The body names '{path}' more than once (names are matched without regard to case): send each property once.",
            new Dictionary<string, string[]> { [path] = ["This property appears more than once in its object."] });

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}

/// <summary>
/// Refuses, before model binding, a JSON request body of an API action that names a property twice. Runs after
/// authorization, so a request without a valid key still gets 401.
/// </summary>
public sealed class RefuseDuplicateJsonPropertiesFilter : IAsyncResourceFilter
{
    private const int MaxInspectedBytes = 1024 * 1024;

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (context.ActionDescriptor is ControllerActionDescriptor action
            && action.Parameters.Any(p => p.BindingInfo?.BindingSource == BindingSource.Body)
            && request.ContentType is { } type && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase))
            && request.ContentLength is null or <= MaxInspectedBytes)
        {
            request.EnableBuffering();
            using var buffer = new MemoryStream();
            // At most one byte past the limit: a body without a length is never buffered whole here (bigger bodies are
            // left to the serializer, which refuses duplicates too: AllowDuplicateProperties = false).
            var chunk = new byte[16 * 1024];
            int read;
            while (buffer.Length <= MaxInspectedBytes
                   && (read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, MaxInspectedBytes + 1 - buffer.Length)), context.HttpContext.RequestAborted)) > 0)
                buffer.Write(chunk, 0, read);
            request.Body.Position = 0;
            if (buffer.Length <= MaxInspectedBytes && DuplicateJsonProperties.Find(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } path)
            {
                context.Result = DuplicateJsonProperties.Problem(path);
                return;
            }
        }
        await next();
    }
}
