using System.Globalization;
using System.Text.Json.Nodes;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Installs;
using Microsoft.OpenApi;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>The install event body per event type, as <see cref="InstallEventRequestValidator"/> requires it.</summary>
internal static class InstallEventSchemas
{
    private const string Id18 = "^[A-Za-z0-9]{18}$";
    private const string Id15 = "^[A-Za-z0-9]{15}$";

    private static readonly Dictionary<string, string> TypeSchemas = new()
    {
        ["package-version-uploaded"] = "PackageVersionUploadedEvent",
        ["install"] = "InstallEvent",
        ["upgrade"] = "UpgradeEvent",
        ["uninstall"] = "UninstallEvent",
        ["org-update"] = "OrgUpdateEvent",
    };

    public static void Add(OpenApiDocument document, IDictionary<string, IOpenApiSchema> schemas)
    {
        OpenApiSchemaReference Ref(string id) => new(id, document);

        schemas["EventPackage"] = Object(["packageId", "name", "developerName", "developerOrgId"], new()
        {
            ["packageId"] = Text(pattern: Id18, description: "The 18-character package ID."),
            ["name"] = Text(255),
            ["developerName"] = Text(255),
            ["developerOrgId"] = Text(pattern: Id18, description: "The developer org's 18-character ID."),
        });
        schemas["EventPackageVersion"] = Object(["versionId", "name", "version"], new()
        {
            ["versionId"] = Text(pattern: Id18, description: "The 18-character package version ID."),
            ["name"] = Text(255),
            ["version"] = Text(32, description: "A version number such as 1.4.0."),
            ["beta"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ["releaseDate"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
        });
        Dictionary<string, IOpenApiSchema> OrgProperties() => new()
        {
            ["id"] = Text(pattern: Id15, description: "The subscriber org's 15-character ID."),
            ["name"] = Text(255),
            ["instance"] = Text(64),
            ["edition"] = Text(64),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. new[] { "Trial", "Active", "Free" }.Select(v => (JsonNode)JsonValue.Create(v))] },
            ["expirationDate"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
            ["sandbox"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
        };
        schemas["EventOrg"] = Object(["id"], OrgProperties());
        schemas["EventInstallingOrg"] = Object(["id", "name", "status"], OrgProperties());
        schemas["EventInstaller"] = Object(["lastName", "email"], new()
        {
            ["firstName"] = Text(80),
            ["lastName"] = Text(80),
            ["email"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "email", MaxLength = 254 },
            ["company"] = Text(255),
            ["phone"] = Text(40),
            ["state"] = Text(80),
            ["country"] = Text(80),
        });

        OpenApiSchema Event(string type, string[] required, Dictionary<string, IOpenApiSchema> properties)
        {
            var all = new Dictionary<string, IOpenApiSchema>
            {
                ["eventId"] = Text(255, description: "The sender's id of this event; a repeated id is accepted once."),
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(type)] },
                ["occurredAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "Since 2000, at most a day ahead of the server." },
            };
            foreach (var (k, v) in properties) all[k] = v;
            return Object(["eventId", "type", "occurredAt", .. required], all);
        }
        var versionId = Text(pattern: Id18, description: "The installed package version's 18-character ID.");
        schemas[TypeSchemas["package-version-uploaded"]] = Event("package-version-uploaded", ["package", "packageVersion"],
            new() { ["package"] = Ref("EventPackage"), ["packageVersion"] = Ref("EventPackageVersion") });
        schemas[TypeSchemas["install"]] = Event("install", ["packageVersionId", "org", "installer"],
            new() { ["packageVersionId"] = versionId, ["org"] = Ref("EventInstallingOrg"), ["installer"] = Ref("EventInstaller") });
        schemas[TypeSchemas["upgrade"]] = Event("upgrade", ["packageVersionId", "org"], new() { ["packageVersionId"] = versionId, ["org"] = Ref("EventOrg") });
        schemas[TypeSchemas["uninstall"]] = Event("uninstall", ["packageVersionId", "org"], new() { ["packageVersionId"] = versionId, ["org"] = Ref("EventOrg") });
        schemas[TypeSchemas["org-update"]] = Event("org-update", ["packageVersionId", "org"], new()
        {
            ["packageVersionId"] = versionId,
            ["org"] = Ref("EventOrg"),
            ["usedLicenses"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = LicenseRules.MaxSeats.ToString(CultureInfo.InvariantCulture),
                Description = "Users of the org who hold a seat, as the platform counts them.",
            },
        });

        schemas[ApiContract.InstallEventSchema] = new OpenApiSchema
        {
            Description = "One install event; `type` says which.",
            OneOf = [.. InstallEventRequest.TypeNames.Keys.Select(t => (IOpenApiSchema)Ref(TypeSchemas[t]))],
            Discriminator = new OpenApiDiscriminator
            {
                PropertyName = "type",
                Mapping = InstallEventRequest.TypeNames.Keys.ToDictionary(t => t, t => Ref(TypeSchemas[t])),
            },
        };
    }

    private static OpenApiSchema Object(string[] required, Dictionary<string, IOpenApiSchema> properties) => new()
    {
        Type = JsonSchemaType.Object, Required = new HashSet<string>(required), Properties = properties,
    };

    private static OpenApiSchema Text(int? maxLength = null, string? pattern = null, string? description = null) => new()
    {
        Type = JsonSchemaType.String, MaxLength = maxLength, Pattern = pattern, Description = description,
    };
}
