using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using LicenseManager.Web.Features.Installs;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Input;

/// <summary>
/// Every id of every input, sent with a trailing newline, CR, a space, NUL or an Arabic-Indic digit in place of its last
/// character (so the length still fits): each is refused with a 400 or a field error, and nothing is stored.
/// </summary>
public abstract class StrictIdTests(LmaApp app)
{
    /// <summary>What replaces an id's last character.</summary>
    private static readonly string[] BadEndings = ["\n", "\r", " ", "\0", "\u0663"];

    private static string Spoil(string id, string ending) => id[..^1] + ending;
    private static string Show(string s) => JsonSerializer.Serialize(s);

    [SkippableFact]
    public async Task Ingest_refuses_every_id_of_every_event_type_with_a_bad_character_and_stores_nothing()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        var before = await app.WithDb(db => db.InstallEvents.CountAsync());
        var failures = new List<string>();

        // (event type, JSON path of the id, event with that id spoilt)
        var cases = new List<(string Field, Func<string, InstallEventRequest> Build)>
        {
            ("package.packageId", e => With(Events.VersionUploaded(Events.NewPackageId(), Events.NewVersionId()), x => x.Package!.PackageId = Spoil(Events.NewPackageId(), e))),
            ("package.developerOrgId", e => With(Events.VersionUploaded(Events.NewPackageId(), Events.NewVersionId()), x => x.Package!.DeveloperOrgId = Spoil("00D000000000DEV001", e))),
            ("packageVersion.versionId", e => Events.VersionUploaded(Events.NewPackageId(), Spoil(Events.NewVersionId(), e))),
            ("installer.email", e => With(Events.Install(package.VersionId, Events.NewOrgId()), x => x.Installer!.Email = "ada@acme.example" + (e == "\u0663" ? "\0" : e))),
            ("org.name", e => With(Events.Install(package.VersionId, Events.NewOrgId()), x => x.Org!.Name = "Acme\0 Inc")),
        };
        foreach (var type in new[] { "install", "upgrade", "uninstall", "org-update" })
        {
            InstallEventRequest Event(string versionId, string orgId) => type switch
            {
                "install" => Events.Install(versionId, orgId),
                "upgrade" => Events.Upgrade(versionId, orgId),
                "uninstall" => Events.Uninstall(versionId, orgId),
                _ => Events.OrgUpdate(versionId, orgId, 1),
            };
            cases.Add(("packageVersionId", e => Event(Spoil(package.VersionId, e), org)));
            cases.Add(("org.id", e => Event(package.VersionId, Spoil(org, e))));
        }

        foreach (var (field, build) in cases)
            foreach (var ending in BadEndings)
            {
                var request = build(ending);
                var response = await app.PostEventAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest)
                    failures.Add($"{request.Type} {field} ending {Show(ending)}: {(int)response.StatusCode} {body}");
                else if (!JsonNode.Parse(body)!["errors"]!.AsObject().ContainsKey(field))
                    failures.Add($"{request.Type} {field} ending {Show(ending)}: 400 without an error for {field}: {body}");
            }
        await app.ProcessInstallEventsAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} bad ids accepted:\n" + string.Join("\n", failures));
        Assert.Equal(before, await app.WithDb(db => db.InstallEvents.CountAsync()));
    }

    [SkippableFact]
    public async Task The_licensing_and_management_API_refuse_every_id_with_a_bad_character_and_store_nothing()
    {
        Requires.Available(app);
        var licensed = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var (pkg, org, user) = (licensed.Package.PackageId, licensed.OrgId, "user-1");
        var api = app.ApiClient(await app.CreateKeyAsync());
        var failures = new List<string>();
        string E(string s) => Uri.EscapeDataString(s);

        foreach (var ending in BadEndings)
        {
            var (p, o, u) = (Spoil(pkg, ending), Spoil(org, ending), Spoil(user, ending));
            var requests = new List<(string Name, HttpRequestMessage Request)>
            {
                ("check packageId", new(HttpMethod.Get, $"/api/v1/licenses/check?packageId={E(p)}&orgId={org}")),
                ("check orgId", new(HttpMethod.Get, $"/api/v1/licenses/check?packageId={pkg}&orgId={E(o)}")),
                ("check userId", new(HttpMethod.Get, $"/api/v1/licenses/check?packageId={pkg}&orgId={org}&userId={E(u)}")),
                ("seats packageId", new(HttpMethod.Get, $"/api/v1/licenses/{E(p)}/{org}/seats")),
                ("seats orgId", new(HttpMethod.Get, $"/api/v1/licenses/{pkg}/{E(o)}/seats")),
                ("assign packageId", new(HttpMethod.Put, $"/api/v1/licenses/{E(p)}/{org}/seats/{user}")),
                ("assign orgId", new(HttpMethod.Put, $"/api/v1/licenses/{pkg}/{E(o)}/seats/{user}")),
                ("assign userId", new(HttpMethod.Put, $"/api/v1/licenses/{pkg}/{org}/seats/{E(u)}")),
                ("seat userId", new(HttpMethod.Get, $"/api/v1/licenses/{pkg}/{org}/seats/{E(u)}")),
                ("revoke userId", new(HttpMethod.Delete, $"/api/v1/licenses/{pkg}/{org}/seats/{E(u)}")),
                ("token packageId", new(HttpMethod.Post, $"/api/v1/licenses/{E(p)}/{org}/token")),
                ("token orgId", new(HttpMethod.Post, $"/api/v1/licenses/{pkg}/{E(o)}/token")),
                ("package packageId", new(HttpMethod.Get, $"/api/v1/packages/{E(p)}")),
                ("association packageId", Json(HttpMethod.Put, $"/api/v1/packages/{E(p)}/association", new { status = "Active", seats = 3, lengthDays = 30 })),
                ("lead-manager packageId", Json(HttpMethod.Put, $"/api/v1/packages/{E(p)}/lead-manager", new { userId = (string?)null })),
                ("lead-manager body userId", Json(HttpMethod.Put, $"/api/v1/packages/{pkg}/lead-manager", new { userId = Spoil(Guid.NewGuid().ToString(), ending) })),
                ("licenses filter package", new(HttpMethod.Get, $"/api/v1/licenses?package={E(p)}")),
                ("licenses filter version", new(HttpMethod.Get, $"/api/v1/licenses?version={E(Spoil(licensed.Package.VersionId, ending))}")),
            };
            foreach (var (name, request) in requests)
            {
                // A NUL in the path never reaches the app: Kestrel refuses the request line (the test server throws).
                if (ending == "\0" && request.RequestUri!.OriginalString.Split('?')[0].Contains("%00")) continue;
                var response = await api.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.BadRequest)
                    failures.Add($"{name} ending {Show(ending)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} bad ids accepted:\n" + string.Join("\n", failures));
        Assert.Equal(0, await app.WithDb(db => db.SeatAssignments.CountAsync(s => s.LicenseKey == licensed.LicenseName)));
        Assert.Null(await app.WithDb(db => db.Packages.Where(p => p.PackageId == pkg).Select(p => p.LeadManagerId).SingleAsync()));
    }

    [SkippableFact]
    public async Task Forms_refuse_ids_and_emails_with_a_bad_character_at_the_field_and_store_nothing()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        using var admin = await app.SignInAsAdminAsync();
        var keysBefore = await app.WithDb(db => db.ApiKeys.CountAsync());
        var usersBefore = await app.WithDb(db => db.Users.CountAsync());
        var failures = new List<string>();

        // A 400 or 422 and, for a field of the form, a message right under that field.
        async Task Expect(string name, HttpResponseMessage response, string? fieldId)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity))
                failures.Add($"{name}: {(int)response.StatusCode}");
            else if (fieldId is not null && new AngleSharp.Html.Parser.HtmlParser().ParseDocument(body).QuerySelector("#" + fieldId)?.NextElementSibling?.TextContent.Trim() is not { Length: > 0 })
                failures.Add($"{name}: {(int)response.StatusCode} without a message at {fieldId}");
        }

        var version = await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.Version).SingleAsync());
        foreach (var ending in BadEndings)
        {
            await Expect($"API key packages ending {Show(ending)}", await admin.PostFormAsync("/admin/api-keys",
                new() { ["Name"] = "form-" + Guid.NewGuid().ToString("N")[..8], ["Scopes"] = "check", ["Packages"] = Spoil(package.PackageId, ending) }), "Packages");
            await Expect($"lead manager id ending {Show(ending)}", await admin.PostFormAsync($"/packages/{package.Key}/lead-manager",
                new() { ["leadManagerId"] = Spoil(Guid.NewGuid().ToString(), ending), ["version"] = version.ToString() }, tokenFrom: $"/packages/{package.Key}"), null);
            if (ending != "\0") // a NUL in the path never reaches the app (Kestrel refuses the request line)
                await Expect($"user route id ending {Show(ending)}", await admin.PostFormAsync($"/admin/users/{Uri.EscapeDataString(Spoil(Guid.NewGuid().ToString(), ending))}/roles",
                new() { ["roles"] = Roles.SalesRep }, tokenFrom: "/admin/users"), null);
            if (ending != "\u0663") // an Arabic-Indic digit is a legitimate character of an internationalised email address
                await Expect($"new user email ending {Show(ending)}", await admin.PostFormAsync("/admin/users",
                    new() { ["DisplayName"] = "Bad Email", ["Email"] = $"bad-{Guid.NewGuid():N}@test.local{ending}", ["Role"] = Roles.SalesRep }), "Email");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} bad values accepted:\n" + string.Join("\n", failures));
        Assert.Equal(keysBefore, await app.WithDb(db => db.ApiKeys.CountAsync()));
        Assert.Equal(usersBefore, await app.WithDb(db => db.Users.CountAsync()));
        Assert.Null(await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.LeadManagerId).SingleAsync()));
    }

    [SkippableFact]
    public async Task The_command_line_refuses_package_ids_with_a_bad_character()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var before = await app.WithDb(db => db.ApiKeys.CountAsync());
        foreach (var ending in new[] { "\0", "\u0663", "\u00a0" })
        {
            var (output, errors) = (new StringWriter(), new StringWriter());
            var exit = await ApiKeyCommands.RunAsync(app.Services,
                ["api-keys", "create", "--name", "cli-" + Guid.NewGuid().ToString("N")[..6], "--scopes", "check", "--packages", Spoil(package.PackageId, ending)], output, errors);
            Assert.True(exit == 1, $"ending {Show(ending)}: exit {exit}, {errors}");
            Assert.Contains("--packages", errors.ToString());
            Assert.Contains("Package ID", errors.ToString());
        }
        Assert.Equal(before, await app.WithDb(db => db.ApiKeys.CountAsync()));
    }

    private static InstallEventRequest With(InstallEventRequest e, Action<InstallEventRequest> change)
    {
        change(e);
        return e;
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, object body) =>
        new(method, url) { Content = System.Net.Http.Json.JsonContent.Create(body) };
}

[Collection(SqliteCollection.Name)]
public sealed class StrictIdTests_Sqlite(SqliteApp app) : StrictIdTests(app);
[Collection(PostgresCollection.Name)]
public sealed class StrictIdTests_PostgreSql(PostgresApp app) : StrictIdTests(app);
