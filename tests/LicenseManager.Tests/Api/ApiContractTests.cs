using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Features.Packages;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace LicenseManager.Tests.Api;

/// <summary>
/// The OpenAPI document is a contract a generated client relies on: it must be valid, say what every operation needs
/// (key, headers, body per event type, filters) and what it answers, and the real app must answer what it says.
/// </summary>
public abstract class ApiContractTests(LmaApp app)
{
    private const string Problem = "application/problem+json";
    private static readonly string[] KeyedStatuses = ["401", "403", "429"];

    // ---------------------------------------------------------------- the document itself

    [SkippableFact]
    public async Task The_document_reads_and_validates_without_errors()
    {
        Requires.Available(app);
        var json = await app.CreateClient().GetStringAsync("/openapi/v1.json");

        var read = OpenApiDocument.Parse(json, OpenApiConstants.Json);
        Assert.True(read.Diagnostic is null || read.Diagnostic.Errors.Count == 0,
            "reader errors: " + string.Join("; ", read.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []));
        Assert.NotNull(read.Document);
        var errors = read.Document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, "validation errors: " + string.Join("; ", errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [SkippableFact]
    public async Task Every_operation_has_an_id_a_summary_its_security_and_problem_json_errors()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        var failures = new List<string>();

        var scheme = doc["components"]?["securitySchemes"]?["ApiKey"];
        if (scheme?["type"]?.GetValue<string>() != "http" || scheme["scheme"]?.GetValue<string>() != "bearer")
            failures.Add("components.securitySchemes.ApiKey must be an http bearer scheme");
        foreach (var server in doc["servers"]?.AsArray() ?? [])
            if (server!["url"]!.GetValue<string>().EndsWith('/')) failures.Add($"server url {server["url"]} ends with '/'");

        var ids = new HashSet<string>();
        foreach (var (name, op) in Operations(doc))
        {
            var id = op["operationId"]?.GetValue<string>();
            if (string.IsNullOrEmpty(id)) failures.Add($"{name}: no operationId");
            else if (!ids.Add(id)) failures.Add($"{name}: operationId {id} is used twice");
            if (string.IsNullOrEmpty(op["summary"]?.GetValue<string>())) failures.Add($"{name}: no summary");

            var security = op["security"]?.AsArray();
            var ingest = name == "POST /api/v1/install-events";
            if (security is null) failures.Add($"{name}: no security");
            else if (ingest)
            {
                if (security.Any(r => r!.AsObject().Count > 0)) failures.Add($"{name}: ingest is signed, not keyed: security must be [{{}}]");
            }
            else if (!security.Any(r => r!["ApiKey"] is not null)) failures.Add($"{name}: security does not name the ApiKey scheme");

            var responses = op["responses"]!.AsObject();
            if (!ingest)
                foreach (var status in KeyedStatuses.Where(s => responses[s] is null)) failures.Add($"{name}: {status} not documented");
            if (responses["429"]?["headers"]?["Retry-After"] is null && !ingest) failures.Add($"{name}: 429 without a Retry-After header");
            if (op["requestBody"] is not null && responses["415"] is null) failures.Add($"{name}: takes a body but 415 is not documented");
            foreach (var (status, response) in responses)
            {
                var content = response!["content"]?.AsObject();
                if (int.TryParse(status, out var code) && code >= 400)
                {
                    if (content is null || content.Count != 1 || content[Problem] is null)
                        failures.Add($"{name} {status}: errors must be {Problem} only, not [{string.Join(", ", content?.Select(c => c.Key) ?? [])}]");
                    else if (content[Problem]!["schema"]?["$ref"]?.GetValue<string>() is not ("#/components/schemas/Problem" or "#/components/schemas/RuleViolationProblem"))
                        failures.Add($"{name} {status}: the problem schema must be Problem or RuleViolationProblem");
                }
                else if (content is not null && content.Any(c => c.Key != "application/json"))
                    failures.Add($"{name} {status}: answers application/json, not [{string.Join(", ", content.Select(c => c.Key))}]");
            }
        }
        foreach (var schema in new[] { "Problem", "RuleViolationProblem", "RuleViolation" })
            if (doc["components"]?["schemas"]?[schema] is null) failures.Add($"components.schemas.{schema} missing");
        var problemProperties = doc["components"]?["schemas"]?["Problem"]?["properties"]?.AsObject();
        foreach (var property in new[] { "title", "status", "code", "errors", "violations" })
            if (problemProperties?[property] is null) failures.Add($"Problem has no '{property}'");

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public async Task The_ingest_operation_documents_its_signature_header_and_a_body_per_event_type()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        var op = Operation(doc, "POST /api/v1/install-events");

        var signature = Parameters(op).SingleOrDefault(p => p["name"]?.GetValue<string>() == IngestSignature.Header);
        Assert.True(signature is not null, $"{IngestSignature.Header} header not documented");
        Assert.Equal("header", signature["in"]!.GetValue<string>());
        Assert.True(signature["required"]?.GetValue<bool>() == true, $"{IngestSignature.Header} must be required");

        var body = op["requestBody"];
        Assert.True(body?["required"]?.GetValue<bool>() == true, "the body must be required");
        var schema = body!["content"]?["application/json"]?["schema"];
        Assert.True(schema is not null, "no application/json body schema");
        schema = Resolve(doc, schema);
        Assert.Equal("type", schema["discriminator"]?["propertyName"]?.GetValue<string>());
        var mapping = schema["discriminator"]!["mapping"]!.AsObject().ToDictionary(m => m.Key, m => m.Value!.GetValue<string>());
        Assert.Equal(InstallEventRequest.TypeNames.Keys.Order(), mapping.Keys.Order());
        Assert.Equal(mapping.Count, schema["oneOf"]!.AsArray().Count);

        // What the validator requires of each type (InstallEventRequestValidator).
        var required = new Dictionary<string, string[]>
        {
            ["package-version-uploaded"] = ["eventId", "type", "occurredAt", "package", "packageVersion"],
            ["install"] = ["eventId", "type", "occurredAt", "packageVersionId", "org", "installer"],
            ["upgrade"] = ["eventId", "type", "occurredAt", "packageVersionId", "org"],
            ["uninstall"] = ["eventId", "type", "occurredAt", "packageVersionId", "org"],
            ["org-update"] = ["eventId", "type", "occurredAt", "packageVersionId", "org"],
        };
        foreach (var (type, fields) in required)
        {
            var eventSchema = Resolve(doc, JsonNode.Parse($$"""{"$ref":"{{mapping[type]}}"}""")!);
            var have = eventSchema["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToHashSet();
            Assert.True(fields.All(have.Contains), $"{type}: requires [{string.Join(", ", have)}], expected at least [{string.Join(", ", fields)}]");
            var typeValues = eventSchema["properties"]!["type"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            Assert.Equal([type], typeValues);
        }
        var package = Resolve(doc, Resolve(doc, JsonNode.Parse($$"""{"$ref":"{{mapping["package-version-uploaded"]}}"}""")!)["properties"]!["package"]!);
        Assert.Equal(["developerName", "developerOrgId", "name", "packageId"], package["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
        var installer = Resolve(doc, Resolve(doc, JsonNode.Parse($$"""{"$ref":"{{mapping["install"]}}"}""")!)["properties"]!["installer"]!);
        Assert.Equal(["email", "lastName"], installer["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
    }

    [SkippableFact]
    public async Task Headers_required_parameters_and_the_list_filters_are_documented()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        var failures = new List<string>();

        var check = Operation(doc, "GET /api/v1/licenses/check");
        foreach (var name in new[] { "packageId", "orgId" })
            if (Parameter(check, name)?["required"]?.GetValue<bool>() != true) failures.Add($"check: {name} must be required");

        var modify = Operation(doc, "POST /api/v1/licenses/{name}/modify");
        if (Parameter(modify, "If-Match") is not { } ifMatch || ifMatch["in"]?.GetValue<string>() != "header" || ifMatch["required"]?.GetValue<bool>() != true)
            failures.Add("modify: If-Match must be a required header");
        foreach (var status in new[] { "200", "404", "412", "422", "428" })
            if (modify["responses"]?[status] is null) failures.Add($"modify: {status} not documented");
        if (modify["responses"]?["200"]?["headers"]?["ETag"] is null) failures.Add("modify 200: no ETag header");
        if (modify["responses"]?["200"]?["headers"]?["Warning"] is null) failures.Add("modify 200: no Warning header");
        if (modify["responses"]?["412"]?["headers"]?["ETag"] is null) failures.Add("modify 412: no ETag header (the current version)");
        if (modify["responses"]?["422"]?["content"]?[Problem]?["schema"]?["$ref"]?.GetValue<string>() != "#/components/schemas/RuleViolationProblem")
            failures.Add("modify 422: must be a RuleViolationProblem");

        foreach (var name in new[] { "GET /api/v1/licenses/{name}", "GET /api/v1/packages/{packageId}", "PUT /api/v1/packages/{packageId}/association", "PUT /api/v1/packages/{packageId}/lead-manager" })
        {
            var op = Operation(doc, name);
            if (op["responses"]?["200"]?["headers"]?["ETag"] is null) failures.Add($"{name} 200: no ETag header");
            if (name.StartsWith("PUT", StringComparison.Ordinal) && Parameter(op, "If-Match") is not { } optional)
                failures.Add($"{name}: optional If-Match header not documented");
        }
        if (Operation(doc, "GET /api/v1/licenses/{name}")["responses"]?["404"] is null) failures.Add("GET /api/v1/licenses/{name}: 404 not documented");

        var list = Operation(doc, "GET /api/v1/licenses");
        string[] filters = ["status", "package", "version", "expiresAfter", "expiresBefore", "sandbox", "edition", "orgStatus", "seats",
            "minSeats", "maxSeats", "q", "lead", "account", "contact", "hideTestOrgs", "overSeats", "sort", "dir", "after", "limit"];
        foreach (var name in filters)
        {
            var p = Parameter(list, name);
            if (p is null) failures.Add($"list: filter '{name}' not documented");
            else if (p["in"]?.GetValue<string>() != "query" || p["schema"]?["type"] is null) failures.Add($"list: '{name}' needs in: query and a typed schema");
        }
        void Enum(string parameter, IEnumerable<string> expected)
        {
            var values = Parameter(list, parameter)?["schema"]?["enum"]?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];
            if (!values.Order().SequenceEqual(expected.Order())) failures.Add($"list: '{parameter}' enum is [{string.Join(", ", values)}], expected [{string.Join(", ", expected)}]");
        }
        Enum("status", System.Enum.GetNames<LicenseStatus>());
        Enum("orgStatus", System.Enum.GetNames<OrgStatus>());
        Enum("sort", LicenseList.Definition.SortColumns.Select(c => c.Name));
        Enum("dir", ["asc", "desc"]);
        Enum("seats", ["site", "seats"]);
        // The list reads the platform's ids here (ListRequest.PackageId / VersionId), not record numbers.
        foreach (var name in new[] { "package", "version" })
        {
            var schema = Parameter(list, name)?["schema"];
            if (schema?["type"]?.ToString() != "string" || schema["pattern"]?.GetValue<string>() != "^[A-Za-z0-9]{18}$")
                failures.Add($"list: '{name}' must be documented as an 18-character platform id, not {schema?.ToJsonString()}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // ---------------------------------------------------------------- the real answers

    /// <summary>A request to the real app and the status it must get; the document must describe that answer.</summary>
    public sealed record Exchange(string Name, HttpStatusCode Expected, Func<Data, HttpRequestMessage> Request, string? Code = null, string? DocumentedAs = null);

    /// <summary>What the requests work on: keys and licenses made through the real app.</summary>
    /// <param name="Modified">A license only the modify requests touch (seat changes move a license's ETag too), and its <paramref name="ETag"/>.</param>
    public sealed record Data(TimeProvider Clock, string Key, string CheckOnlyKey, ApiTestKit.LicensedOrg Org, ApiTestKit.LicensedOrg Full, ApiTestKit.LicensedOrg Modified, string ETag, string FreeUser, string HeldUser);

    /// <summary>One good and at least one bad request for every operation, by operationId. An operation missing here fails the test.</summary>
    private static readonly Dictionary<string, Exchange[]> Exchanges = new()
    {
        ["ingestInstallEvent"] =
        [
            new("signed event", HttpStatusCode.Accepted, d => SignedEvent(d, Events.VersionUploaded(Events.NewPackageId(), Events.NewVersionId()))),
            new("event without its package", HttpStatusCode.BadRequest, d => SignedEvent(d, new { eventId = "e-1", type = "package-version-uploaded", occurredAt = d.Clock.GetUtcNow() }), "validation_failed"),
            new("unsigned event", HttpStatusCode.Unauthorized, d => Event(d, Events.VersionUploaded(Events.NewPackageId(), Events.NewVersionId()), signed: false), "signature_missing"),
        ],
        ["checkLicense"] =
        [
            new("licensed org", HttpStatusCode.OK, d => Get(d.Key, d.Org.CheckUrl())),
            new("no orgId", HttpStatusCode.BadRequest, d => Get(d.Key, $"/api/v1/licenses/check?packageId={d.Org.Package.PackageId}"), "validation_failed"),
            new("no key", HttpStatusCode.Unauthorized, d => Get(null, d.Org.CheckUrl()), "missing_api_key"),
        ],
        ["listSeats"] =
        [
            new("licensed org", HttpStatusCode.OK, d => Get(d.Key, $"/api/v1/licenses/{d.Org.Package.PackageId}/{d.Org.OrgId}/seats")),
            new("org without a license", HttpStatusCode.NotFound, d => Get(d.Key, $"/api/v1/licenses/{d.Org.Package.PackageId}/{Events.NewOrgId()}/seats"), "license_not_found"),
        ],
        ["getSeat"] =
        [
            new("held seat", HttpStatusCode.OK, d => Get(d.Key, d.Full.SeatUrl(d.HeldUser))),
            new("user without a seat", HttpStatusCode.NotFound, d => Get(d.Key, d.Org.SeatUrl("nobody")), "seat_not_assigned"),
        ],
        ["assignSeat"] =
        [
            new("free seat", HttpStatusCode.Created, d => Send(HttpMethod.Put, d.Key, d.Org.SeatUrl(d.FreeUser))),
            new("invalid user id", HttpStatusCode.BadRequest, d => Send(HttpMethod.Put, d.Key, d.Org.SeatUrl("no%20spaces")), "validation_failed"),
            new("no seat left", HttpStatusCode.Conflict, d => Send(HttpMethod.Put, d.Key, d.Full.SeatUrl("second-user")), LicenseRules.Codes.NoSeatAvailable),
            new("key limited to check, wrong package", HttpStatusCode.Forbidden, d => Send(HttpMethod.Put, d.CheckOnlyKey, d.Full.SeatUrl("x")), "package_not_allowed"),
        ],
        ["revokeSeat"] =
        [
            new("any user", HttpStatusCode.NoContent, d => Send(HttpMethod.Delete, d.Key, d.Org.SeatUrl("never-held"))),
            new("org without a license", HttpStatusCode.NotFound, d => Send(HttpMethod.Delete, d.Key, $"/api/v1/licenses/{d.Org.Package.PackageId}/{Events.NewOrgId()}/seats/u1"), "license_not_found"),
        ],
        ["issueLicenseToken"] =
        [
            new("licensed org", HttpStatusCode.OK, d => Send(HttpMethod.Post, d.Key, $"/api/v1/licenses/{d.Org.Package.PackageId}/{d.Org.OrgId}/token")),
            new("org without a license", HttpStatusCode.NotFound, d => Send(HttpMethod.Post, d.Key, $"/api/v1/licenses/{d.Org.Package.PackageId}/{Events.NewOrgId()}/token"), "license_not_found"),
        ],
        ["listLicenses"] =
        [
            new("filtered and sorted", HttpStatusCode.OK, d => Get(d.Key, "/api/v1/licenses?status=Active&sandbox=false&seats=seats&sort=org&dir=asc&limit=5")),
            new("limit out of range", HttpStatusCode.BadRequest, d => Get(d.Key, "/api/v1/licenses?limit=0"), "validation_failed"),
            new("key without manage", HttpStatusCode.Forbidden, d => Get(d.CheckOnlyKey, "/api/v1/licenses"), "insufficient_scope"),
        ],
        ["getLicense"] =
        [
            new("existing license", HttpStatusCode.OK, d => Get(d.Key, $"/api/v1/licenses/{d.Org.LicenseName}")),
            new("unknown license", HttpStatusCode.NotFound, d => Get(d.Key, "/api/v1/licenses/987654321"), "license_not_found"),
        ],
        ["modifyLicense"] =
        [
            // The good change goes last: it moves the license past the ETag the others send.
            new("without If-Match", HttpStatusCode.PreconditionRequired, d => Modify(d, new { status = "Active", siteLicense = false, seats = 3, doesNotExpire = true }, null), "if_match_required"),
            new("stale ETag", HttpStatusCode.PreconditionFailed, d => Modify(d, new { status = "Active", siteLicense = false, seats = 4, doesNotExpire = true }, "\"v99999\""), ModifyLicense.ConcurrencyCode),
            new("seats out of range", HttpStatusCode.UnprocessableEntity, d => Modify(d, new { status = "Active", siteLicense = false, seats = 0, doesNotExpire = true }, d.ETag), LicenseRules.Codes.SeatsOutOfRange),
            new("malformed body", HttpStatusCode.BadRequest, d => Modify(d, "{\"seats\": \"many\"", d.ETag), "validation_failed"),
            new("with its ETag", HttpStatusCode.OK, d => Modify(d, new { status = "Active", siteLicense = false, seats = 3, doesNotExpire = true }, d.ETag)),
        ],
        ["listPackages"] =
        [
            new("manage key", HttpStatusCode.OK, d => Get(d.Key, "/api/v1/packages")),
            new("key without manage", HttpStatusCode.Forbidden, d => Get(d.CheckOnlyKey, "/api/v1/packages"), "insufficient_scope"),
        ],
        ["getPackage"] =
        [
            new("existing package", HttpStatusCode.OK, d => Get(d.Key, $"/api/v1/packages/{d.Org.Package.PackageId}")),
            new("not a package id", HttpStatusCode.BadRequest, d => Get(d.Key, "/api/v1/packages/abc"), "validation_failed"),
            new("unknown package", HttpStatusCode.NotFound, d => Get(d.Key, $"/api/v1/packages/{Events.NewPackageId()}"), PackageCommands.Codes.NotFound),
        ],
        ["setPackageAssociation"] =
        [
            new("new defaults", HttpStatusCode.OK, d => Json(HttpMethod.Put, d.Key, $"/api/v1/packages/{d.Full.Package.PackageId}/association", new { status = "Active", seats = 1, lengthDays = (int?)null })),
            new("unknown status", HttpStatusCode.UnprocessableEntity, d => Json(HttpMethod.Put, d.Key, $"/api/v1/packages/{d.Full.Package.PackageId}/association", new { status = "Bogus" }), LicenseRules.Codes.StatusNotAllowed),
        ],
        ["setPackageLeadManager"] =
        [
            new("no lead manager", HttpStatusCode.OK, d => Json(HttpMethod.Put, d.Key, $"/api/v1/packages/{d.Full.Package.PackageId}/lead-manager", new { userId = (string?)null })),
            new("unknown package", HttpStatusCode.NotFound, d => Json(HttpMethod.Put, d.Key, $"/api/v1/packages/{Events.NewPackageId()}/lead-manager", new { userId = (string?)null }), PackageCommands.Codes.NotFound),
            new("stale ETag", HttpStatusCode.PreconditionFailed, d => Json(HttpMethod.Put, d.Key, $"/api/v1/packages/{d.Full.Package.PackageId}/lead-manager", new { userId = (string?)null }, "\"v99999\"")),
        ],
    };

    /// <summary>
    /// Answers that the API status-code work (merged separately) changes: until it lands the app may answer 401 or 200
    /// here. Each names the operation whose documented response it must match (null: no operation, the generic Problem).
    /// </summary>
    public static readonly Exchange[] AwaitingStatusCodeWork =
    [
        new("wrong method", HttpStatusCode.MethodNotAllowed, d => Send(HttpMethod.Patch, d.Key, "/api/v1/packages"), "method_not_allowed"),
        new("unknown path", HttpStatusCode.NotFound, d => Get(d.Key, "/api/v1/no-such-thing"), "not_found"),
        new("license name not a number", HttpStatusCode.NotFound, d => Get(d.Key, "/api/v1/licenses/abc"), "not_found", DocumentedAs: "getLicense"),
        new("text/plain body", HttpStatusCode.UnsupportedMediaType, d => Modify(d, new StringContent("seats=3", Encoding.UTF8, "text/plain"), d.ETag), "unsupported_media_type", DocumentedAs: "modifyLicense"),
        new("weak If-Match", HttpStatusCode.PreconditionFailed, d => Modify(d, new { status = "Active", siteLicense = false, seats = 5, doesNotExpire = true }, "W/" + d.ETag), DocumentedAs: "modifyLicense"),
    ];

    [SkippableFact]
    public async Task Every_documented_operation_answers_good_and_bad_requests_as_documented()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        var data = await DataAsync();
        var failures = new List<string>();
        var operations = Operations(doc).ToList();

        foreach (var (name, op) in operations)
        {
            var id = op["operationId"]?.GetValue<string>() ?? name;
            if (!Exchanges.TryGetValue(id, out var exchanges))
            {
                failures.Add($"{id} ({name}): no good/bad requests in ApiContractTests.Exchanges: add them");
                continue;
            }
            if (!exchanges.Any(e => (int)e.Expected < 400) || !exchanges.Any(e => (int)e.Expected >= 400))
                failures.Add($"{id}: needs one good and one bad request");
            foreach (var exchange in exchanges)
                failures.AddRange(await CheckAsync(doc, op, $"{id} / {exchange.Name}", exchange, data));
        }
        foreach (var unknown in Exchanges.Keys.Except(operations.Select(o => o.Op["operationId"]?.GetValue<string>())))
            failures.Add($"{unknown}: has requests but is not in the document");

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public async Task Awaiting_status_code_work_405_404_415_and_weak_If_Match_answer_as_documented()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        var data = await DataAsync();
        var failures = new List<string>();
        foreach (var exchange in AwaitingStatusCodeWork)
        {
            var op = exchange.DocumentedAs is null ? null
                : Operations(doc).Single(o => o.Op["operationId"]?.GetValue<string>() == exchange.DocumentedAs).Op;
            failures.AddRange(await CheckAsync(doc, op, "awaiting status-code work / " + exchange.Name, exchange, data));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public async Task The_body_check_rejects_bodies_the_document_does_not_describe()
    {
        Requires.Available(app);
        var doc = await DocumentAsync();
        JsonNode Ref(string id) => new JsonObject { ["$ref"] = $"#/components/schemas/{id}" };

        Assert.Empty(Validate(doc, Ref("Problem"), JsonNode.Parse("""{"title":"t","status":404,"code":"license_not_found"}""")));
        Assert.NotEmpty(Validate(doc, Ref("Problem"), JsonNode.Parse("""{"title":"t","status":404}"""))); // no code
        Assert.NotEmpty(Validate(doc, Ref("Problem"), JsonNode.Parse("""{"title":"t","status":"404","code":"x"}""")));
        Assert.NotEmpty(Validate(doc, Ref("RuleViolationProblem"), JsonNode.Parse("""{"title":"t","status":422,"code":"x","errors":{}}""")));
        Assert.NotEmpty(Validate(doc, Ref("SeatResource"), JsonNode.Parse("""{"userId":"u","assignedBy":"k"}""")));
    }

    /// <summary>Sends the request; the status must be the expected one, documented, with the documented media type, headers and body schema.</summary>
    private Task<List<string>> CheckAsync(JsonNode doc, JsonNode? op, string label, Exchange exchange, Data data) =>
        CheckAsync(app.CreateClient(), doc, op, label, exchange, data);

    internal static async Task<List<string>> CheckAsync(HttpClient client, JsonNode doc, JsonNode? op, string label, Exchange exchange, Data data)
    {
        var failures = new List<string>();
        using var request = exchange.Request(data);
        var described = $"{request.Method} {request.RequestUri}";
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (response.StatusCode != exchange.Expected)
            failures.Add($"{label}: {described} answered {status}, expected {(int)exchange.Expected}: {Short(body)}");

        JsonNode? documented;
        if (op is null)
            documented = new JsonObject { ["content"] = new JsonObject { [Problem] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } } };
        else
        {
            documented = op["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] ?? op["responses"]?[$"{status / 100}XX"] ?? op["responses"]?["default"];
            if (documented is null)
            {
                failures.Add($"{label}: {status} is not documented for this operation (documented: {string.Join(", ", op["responses"]!.AsObject().Select(r => r.Key))})");
                return failures;
            }
        }
        if (documented["$ref"] is { } responseRef) documented = Resolve(doc, documented);

        foreach (var (header, spec) in documented["headers"]?.AsObject() ?? [])
            if (spec!["required"]?.GetValue<bool>() == true && !response.Headers.NonValidated.Contains(header) && !response.Content.Headers.NonValidated.Contains(header))
                failures.Add($"{label}: required header {header} missing");

        var content = documented["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            if (body.Length > 0) failures.Add($"{label}: {status} is documented without a body, got {mediaType}: {Short(body)}");
            return failures;
        }
        if (mediaType is null || content[mediaType] is not { } media)
        {
            failures.Add($"{label}: {status} answered {mediaType ?? "no content type"}, documented [{string.Join(", ", content.Select(c => c.Key))}]");
            return failures;
        }
        JsonNode? instance;
        try { instance = JsonNode.Parse(body); }
        catch (JsonException e) { failures.Add($"{label}: body is not JSON ({e.Message}): {Short(body)}"); return failures; }
        failures.AddRange(Validate(doc, media["schema"]!, instance).Select(f => $"{label}: body breaks the documented schema: {f}\n    {Short(body)}"));
        if (exchange.Code is { } code && instance?["code"]?.GetValue<string>() != code)
            failures.Add($"{label}: code is '{instance?["code"]}', expected '{code}'");
        return failures;
    }

    /// <summary>JSON Schema 2020-12 validation of a body against a schema of the document, its component refs resolved.</summary>
    private static IEnumerable<string> Validate(JsonNode doc, JsonNode schema, JsonNode? instance)
    {
        var root = JsonNode.Parse(schema.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))!.AsObject();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = JsonNode.Parse(doc["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
        EvaluationResults result;
        try { result = JsonSchema.FromText(root.ToJsonString()).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List }); }
        catch (RefResolutionException e) { return [$"the schema does not resolve: {e.Message}"]; }
        if (result.IsValid) return [];
        return (result.Details ?? []).Concat([result]).Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")).Distinct().Take(8);
    }

    // ---------------------------------------------------------------- data and requests

    private Data? _data;

    private async Task<Data> DataAsync()
    {
        if (_data is not null) return _data;
        var key = await app.CreateKeyAsync("contract");
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 10, null));
        var full = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 1, null));
        var checkOnly = await app.CreateKeyAsync("contract-check", "check", org.Package.PackageId);
        using var api = app.ApiClient(key);
        Assert.Equal(HttpStatusCode.Created, (await api.PutAsync(full.SeatUrl("first-user"), null)).StatusCode);
        var modified = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 10, null));
        var license = await api.GetAsync($"/api/v1/licenses/{modified.LicenseName}");
        var etag = license.Headers.ETag?.ToString() ?? throw new InvalidOperationException("GET license sent no ETag");
        return _data = new Data(app.Clock, key, checkOnly, org, full, modified, etag, "free-" + Guid.NewGuid().ToString("N")[..8], "first-user");
    }

    private static HttpRequestMessage Send(HttpMethod method, string? key, string url, HttpContent? content = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    internal static HttpRequestMessage Get(string? key, string url) => Send(HttpMethod.Get, key, url);

    private static HttpRequestMessage Json(HttpMethod method, string key, string url, object body, string? ifMatch = null) =>
        Send(method, key, url, new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), ifMatch);

    private static HttpRequestMessage Modify(Data d, object body, string? ifMatch) => body is HttpContent content
        ? Send(HttpMethod.Post, d.Key, $"/api/v1/licenses/{d.Modified.LicenseName}/modify", content, ifMatch)
        : Json(HttpMethod.Post, d.Key, $"/api/v1/licenses/{d.Modified.LicenseName}/modify", body, ifMatch);

    private static HttpRequestMessage SignedEvent(Data d, object body) => Event(d, body, signed: true);

    private static HttpRequestMessage Event(Data d, object body, bool signed)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body, InstallEventRequest.Json));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/install-events") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signed) request.Headers.Add(IngestSignature.Header, IngestSignature.Sign(LmaApp.IngestSecret, d.Clock.GetUtcNow(), bytes));
        return request;
    }

    // ---------------------------------------------------------------- reading the document

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;

    internal static IEnumerable<(string Name, JsonNode Op)> Operations(JsonNode doc) =>
        from path in doc["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        where method.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options"
        select ($"{method.Key.ToUpperInvariant()} {path.Key}", method.Value!);

    private static JsonNode Operation(JsonNode doc, string name) =>
        Operations(doc).SingleOrDefault(o => o.Name == name).Op ?? throw new Xunit.Sdk.XunitException($"{name} is not in the document");

    private static IEnumerable<JsonNode> Parameters(JsonNode op) => op["parameters"]?.AsArray().Select(p => p!) ?? [];

    private static JsonNode? Parameter(JsonNode op, string name) => Parameters(op).FirstOrDefault(p => p["name"]?.GetValue<string>() == name);

    private static JsonNode Resolve(JsonNode doc, JsonNode node)
    {
        while (node["$ref"]?.GetValue<string>() is { } reference)
        {
            var target = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate((JsonNode?)doc, (n, part) => n?[part]);
            node = target ?? throw new Xunit.Sdk.XunitException($"{reference} does not resolve");
        }
        return node;
    }

    private static string Short(string body) => body.Length > 400 ? body[..400] + "..." : body;
}

[Collection(SqliteCollection.Name)]
public sealed class ApiContractTests_Sqlite(SqliteApp app) : ApiContractTests(app);
[Collection(PostgresCollection.Name)]
public sealed class ApiContractTests_PostgreSql(PostgresApp app) : ApiContractTests(app);
