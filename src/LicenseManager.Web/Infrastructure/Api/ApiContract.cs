using System.Globalization;
using System.Text.Json.Nodes;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Licenses;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>
/// What the OpenAPI document promises a generated client beyond what the framework infers: the bearer key on every keyed
/// operation, errors as application/problem+json in the one shape <see cref="Infrastructure.ApiProblem"/> sends, the
/// headers the actions read and send, the list's filters, and the install event body per event type.
/// </summary>
public static class ApiContract
{
    public const string SecurityScheme = "ApiKey";
    public const string ProblemSchema = "Problem";
    public const string RuleViolationProblemSchema = "RuleViolationProblem";
    public const string InstallEventSchema = "InstallEventRequest";
    public const string ProblemJson = "application/problem+json";
    private const string Json = "application/json";

    public static class Tags
    {
        public const string Licensing = "Licensing (scope check)";
        public const string Management = "Management (scope manage)";
        public const string InstallEvents = "Install events (signed)";
    }

    public static OpenApiOptions AddApiContract(this OpenApiOptions o)
    {
        o.AddSchemaTransformer(NumbersAreNumbers);
        o.AddOperationTransformer(DescribeOperation);
        o.AddDocumentTransformer(DescribeDocument);
        return o;
    }

    private static readonly Dictionary<string, string> RequestHeaders = new()
    {
        ["If-Match"] = "The ETag read with the resource, exactly as it was sent (e.g. \"v3\"). When the resource changed since, the answer is 412 "
                       + "with the current ETag; weak ETags (W/...) never match.",
        [IngestSignature.Header] = "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\"> with the shared ingest secret (Lma:Ingest:Secret). "
                                   + "The timestamp must be within 5 minutes of the server's clock; several v1= values may be sent while the secret rotates.",
    };

    private static readonly Dictionary<string, string> ResponseHeaders = new()
    {
        ["ETag"] = "The version of the resource (e.g. \"v3\"): send it in If-Match to change it.",
        ["Warning"] = "199 - \"<text>\": the change was saved, and these are the warnings the Modify License page would show.",
        ["Retry-After"] = "Seconds until this API key may call again.",
        ["WWW-Authenticate"] = "Bearer",
    };

    /// <summary>The ids every licensing endpoint checks (<see cref="ApiInput"/>): a client can check them before sending.</summary>
    private static readonly Dictionary<string, (string Pattern, string Description)> IdFormats = new()
    {
        ["packageId"] = ("^[A-Za-z0-9]{18}$", "The 18-character package ID."),
        ["orgId"] = ("^[A-Za-z0-9]{15}$", "The 15-character subscriber org ID."),
        ["userId"] = ($"^[A-Za-z0-9._@-]{{1,{ApiInput.UserIdMaxLength}}}$", "The subscriber user's id in the ISV's app."),
    };

    private static readonly Dictionary<int, (string Keyed, string Signed)> ErrorDescriptions = new()
    {
        [400] = ("Invalid values: `validation_failed` with `errors` by field; `if_match_invalid` when If-Match is not an ETag of this API.",
                 "`validation_failed` with `errors` by field (what the event type requires), or `malformed_json`."),
        [401] = ("No valid API key: `missing_api_key`, `invalid_authorization`, `invalid_api_key` (unknown or revoked).",
                 "The signature is not valid: `signature_missing`, `signature_malformed`, `signature_stale`, `signature_mismatch`, `signature_notconfigured`."),
        [403] = ("`insufficient_scope` (the key lacks `check` or `manage`) or `package_not_allowed` (the key is limited to other packages).", ""),
        [404] = ("`license_not_found`, `seat_not_assigned` or `package_not_found`; `not_found` for a path that names nothing (e.g. /api/v1/licenses/abc).", ""),
        [409] = ("`no_seat_available` (with `violations`) when every seat is taken, or `license_busy` when many changes hit the license at once: try again.", ""),
        [412] = ("`concurrency_conflict`: the resource changed since the If-Match ETag was read (or the ETag is weak). Read it again and repeat the change if it still applies.", ""),
        [413] = ("", "`body_too_large`: install events are at most Lma:Ingest:MaxBodyBytes (64 KB by default)."),
        [415] = ("`unsupported_media_type`: send the body as application/json.", "`unsupported_media_type`: send the body as application/json."),
        [422] = ("The change breaks a license rule: `code` is the rule's code when there is one violation (else `validation_failed`); `violations` lists each with its field and code.", ""),
        [428] = ("`if_match_required`: send the ETag of the license you read in If-Match.", ""),
        [429] = ("`rate_limited`: too many requests for this API key on this server; Retry-After says when to try again.", ""),
    };

    /// <summary>ASP.NET documents numbers as "integer or string" because the web JSON options also read numbers from strings; clients send and get numbers.</summary>
    private static Task NumbersAreNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }

    private static Task DescribeOperation(OpenApiOperation op, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var doc = context.Document;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var keyed = !metadata.OfType<IAllowAnonymous>().Any()
                    && metadata.OfType<IAuthorizeData>().Any(a => a.Policy is ApiKeyAuth.CheckPolicy or ApiKeyAuth.ManagePolicy);

        op.OperationId ??= metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        // An empty requirement says "no key": install events are authenticated by their signature header instead.
        op.Security = keyed
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, doc)] = [] }]
            : [new OpenApiSecurityRequirement()];

        op.Parameters ??= [];
        foreach (var header in metadata.OfType<RequestHeaderAttribute>())
            op.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name, In = ParameterLocation.Header, Required = header.Required,
                Description = RequestHeaders[header.Name], Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        var requiredQuery = metadata.OfType<RequiredQueryAttribute>().SelectMany(a => a.Names).ToHashSet();
        foreach (var parameter in op.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Name is { } name && IdFormats.TryGetValue(name, out var format))
            {
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = format.Pattern };
                parameter.Description ??= format.Description;
            }
            if (parameter.In == ParameterLocation.Query && requiredQuery.Contains(parameter.Name!)) parameter.Required = true;
        }
        if (metadata.OfType<LicenseListQueryAttribute>().Any()) DescribeLicenseList(op);

        if (metadata.OfType<RequestBodySchemaAttribute>().LastOrDefault() is { } body)
            op.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { [Json] = new() { Schema = new OpenApiSchemaReference(body.SchemaId, doc) } },
            };
        if (op.RequestBody is OpenApiRequestBody { Content: { } requestContent })
            foreach (var type in requestContent.Keys.Where(k => k != Json).ToList()) requestContent.Remove(type);

        op.Responses ??= [];
        if (op.RequestBody is not null && !op.Responses.ContainsKey("415")) op.Responses["415"] = new OpenApiResponse();
        foreach (var (status, entry) in op.Responses)
        {
            if (entry is not OpenApiResponse response || !int.TryParse(status, CultureInfo.InvariantCulture, out var code)) continue;
            if (code >= 400)
            {
                response.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemJson] = new() { Schema = new OpenApiSchemaReference(code == 422 ? RuleViolationProblemSchema : ProblemSchema, doc) },
                };
                if (ErrorDescriptions.TryGetValue(code, out var text) && (keyed ? text.Keyed : text.Signed) is { Length: > 0 } description)
                    response.Description = description;
                if (code == 429) AddHeader(response, "Retry-After", required: true, JsonSchemaType.Integer);
                if (code == 401 && keyed) AddHeader(response, "WWW-Authenticate", required: true);
            }
            else if (response.Content is not null)
                foreach (var type in response.Content.Keys.Where(k => k != Json).ToList()) response.Content.Remove(type);
            foreach (var header in metadata.OfType<ResponseHeaderAttribute>().Where(h => h.Statuses.Contains(code)))
                AddHeader(response, header.Name, header.Required);
        }
        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiResponse response, string name, bool required, JsonSchemaType type = JsonSchemaType.String)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = ResponseHeaders[name], Required = required, Schema = new OpenApiSchema { Type = type } };
    }

    /// <summary>The filters and sort by the names <see cref="LicenseFilter.From"/> and the license list's definition read; a value that doesn't parse is 400 invalid_filter.</summary>
    private static void DescribeLicenseList(OpenApiOperation op)
    {
        static OpenApiSchema Enum(IEnumerable<string> values) =>
            new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
        static OpenApiSchema Of(JsonSchemaType type, string? format = null) => new() { Type = type, Format = format };
        static OpenApiSchema PlatformId() => new() { Type = JsonSchemaType.String, MinLength = 18, MaxLength = 18, Pattern = "^[A-Za-z0-9]{18}$" };

        var parameters = new (string Name, OpenApiSchema Schema, string Description)[]
        {
            ("status", Enum(System.Enum.GetNames<LicenseStatus>()), "License Status."),
            ("package", PlatformId(), "The 18-character Package ID (letters and digits), as the platform gives it."),
            ("version", PlatformId(), "The 18-character Version ID of the package version (letters and digits)."),
            ("expiresAfter", Of(JsonSchemaType.String, "date"), "Expiration date on or after this day."),
            ("expiresBefore", Of(JsonSchemaType.String, "date"), "Expiration date on or before this day."),
            ("sandbox", Of(JsonSchemaType.Boolean), "Sandbox orgs only (true) or none (false)."),
            ("edition", new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64 }, "Org edition, exactly (e.g. Enterprise Edition)."),
            ("orgStatus", Enum(System.Enum.GetNames<OrgStatus>()), "Org Status of the installer's org."),
            ("seats", Enum(["site", "seats"]), "`site`: Site Licenses only; `seats`: licenses with a seat count."),
            ("minSeats", Of(JsonSchemaType.Integer, "int32"), "At least this many licensed seats."),
            ("maxSeats", Of(JsonSchemaType.Integer, "int32"), "At most this many licensed seats."),
            ("q", new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 100 }, "A license name (number), a 15-character subscriber org ID, or the start of the org name."),
            ("lead", Of(JsonSchemaType.Integer, "int64"), "The lead's record number."),
            ("account", Of(JsonSchemaType.Integer, "int64"), "The account's record number."),
            ("contact", Of(JsonSchemaType.Integer, "int64"), "The contact's record number."),
            ("hideTestOrgs", Of(JsonSchemaType.Boolean), "true: leave out sandbox orgs and orgs whose Org Status is Trial."),
            ("overSeats", Of(JsonSchemaType.Boolean), "true: only installed licenses whose used licenses exceed their seats."),
            ("sort", Enum(LicenseList.Definition.SortColumns.Select(c => c.Name)), "The column to sort by (default `name`)."),
            ("dir", Enum(["asc", "desc"]), "Sort direction: `desc` by default for `name`, else `asc`."),
        };
        foreach (var (name, schema, description) in parameters)
            op.Parameters!.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Schema = schema, Description = description });
        foreach (var parameter in op.Parameters!.OfType<OpenApiParameter>())
        {
            if (parameter.Name == "after") parameter.Description = "The previous page's `next`, to read the page after it (keyset paging).";
            if (parameter.Name == "limit")
            {
                parameter.Description = $"Rows per page, 1 to {LicensesApiController.MaxPageSize} (default {LicensesApiController.DefaultPageSize}).";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1",
                    Maximum = LicensesApiController.MaxPageSize.ToString(CultureInfo.InvariantCulture),
                };
            }
        }
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "LicenseManager API",
            Version = "v1",
            Description = "Licensing API for the ISV's own app (license checks, seats, signed license tokens), the management API and install events. "
                          + "Authenticate with `Authorization: Bearer <API key>`; install events are authenticated by their HMAC signature (X-Lma-Signature). "
                          + "Signed license tokens verify against /.well-known/jwks.json.\n\n"
                          + "Every error is `application/problem+json` (the `Problem` schema) with a stable `code`. Besides the answers each operation lists, "
                          + "any /api/v1 request can get 404 `not_found` (no such path), 405 `method_not_allowed` (the path exists, the method doesn't) "
                          + "and 415 `unsupported_media_type` (a body that is not application/json).",
        };
        // A trailing slash makes clients build "//api/v1/...".
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = Tags.Licensing, Description = "What the ISV's own app calls, with a key that has the `check` scope: is this user licensed, seats, signed license tokens." },
            new() { Name = Tags.Management, Description = "The list view's filters and paging, Modify License and the package commands, with a key that has the `manage` scope." },
            new() { Name = Tags.InstallEvents, Description = "What the distribution pipeline sends: uploads, installs, upgrades, uninstalls and org changes, signed with the shared ingest secret." },
        };

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "lma_...",
            Description = "An LMA API key (lma_...), created under Admin > API keys or with `api-keys create`.",
        };
        var schemas = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        // Replaced by Problem everywhere: ProblemDetails alone lacks `code`, `errors` and `violations`.
        schemas.Remove("ProblemDetails");
        AddProblemSchemas(document, schemas);
        InstallEventSchemas.Add(document, schemas);
        return Task.CompletedTask;
    }

    private static void AddProblemSchemas(OpenApiDocument document, IDictionary<string, IOpenApiSchema> schemas)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        schemas["RuleViolation"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "field", "code", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["field"] = Text("The request field the rule is about (camelCase); empty for the license as a whole."),
                ["code"] = Text("The rule's stable code, e.g. `seats_out_of_range`."),
                ["message"] = Text("The message the Modify License page shows."),
            },
        };
        schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details with a stable `code`.",
            Required = new HashSet<string> { "title", "status", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI reference that names the problem type, when there is one."),
                ["title"] = Text("A short human-readable summary."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
                ["detail"] = Text("What happened in this request and what to do."),
                ["instance"] = Text("A URI reference for this occurrence."),
                ["code"] = Text("The stable machine-readable code, e.g. `license_not_found`: see each response's description."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object, Description = "Messages by request field (camelCase), on validation problems.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["violations"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array, Description = "The license rules the request breaks, each with its code.",
                    Items = new OpenApiSchemaReference("RuleViolation", document),
                },
                ["traceId"] = Text("The request's trace id, when the framework adds one."),
            },
        };
        schemas[RuleViolationProblemSchema] = new OpenApiSchema
        {
            Description = "A Problem about license rules: always with `errors` and `violations`.",
            AllOf = [new OpenApiSchemaReference(ProblemSchema, document), new OpenApiSchema { Required = new HashSet<string> { "errors", "violations" } }],
        };
    }
}
