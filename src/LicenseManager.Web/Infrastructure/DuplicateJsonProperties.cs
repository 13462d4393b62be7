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
    public static string? Find(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var scopes = new Stack<(HashSet<string>? Names, string Path)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var path = scopes.Count == 0 ? "" : scopes.Peek().Names is null ? scopes.Peek().Path + "[]" : Join(scopes.Peek().Path, property!);
                        scopes.Push((reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) : null, path));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        if (!scopes.Peek().Names!.Add(property)) return Join(scopes.Peek().Path, property);
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
