using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Web;

/// <summary>
/// The page and the API run the same command with the same validator and say the same thing: the same refusals with
/// the same messages, and the same kind of answer for a conflict.
/// </summary>
public abstract class CommandResultPageAndApiTests(LmaApp app)
{
    [SkippableFact]
    public async Task Package_association_refuses_a_numeric_status_on_the_page_as_the_API_does()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync(associate: false);
        var version = await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.Version).SingleAsync());
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);

        // "1" is Active's number: the form's choices send names, and so must anything that posts it.
        var page = await manager.PostFormAsync($"/packages/{package.Key}/association",
            new() { ["Status"] = "1", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = version.ToString() }, tokenFrom: $"/packages/{package.Key}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        var form = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync()).QuerySelector("[data-testid=association-form]")!;
        Assert.Contains("New licenses start as Trial or Active.", form.TextContent);
        Assert.False(await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.IsAssociated).SingleAsync()));

        var api = app.ApiClient(await app.CreateKeyAsync());
        var refused = await api.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/packages/{package.PackageId}/association")
            { Content = System.Net.Http.Json.JsonContent.Create(new { status = "1", seats = (int?)null, lengthDays = (int?)null }) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(LicenseRules.Codes.StatusNotAllowed, await refused.ProblemCodeAsync());
        Assert.Equal("New licenses start as Trial or Active.", (await refused.JsonAsync()).GetProperty("errors").GetProperty("status")[0].GetString());
    }

    [SkippableFact]
    public async Task A_stale_package_form_answers_409_conflict_with_its_message_as_Modify_License_does()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        var version = await app.WithDb(db => db.Packages.Where(p => p.Id == package.Key).Select(p => p.Version).SingleAsync());
        using var manager = await app.SignInAsNewUserAsync(Roles.LicenseManager);

        var stale = await manager.PostFormAsync($"/packages/{package.Key}/lead-manager",
            new() { ["leadManagerId"] = "", ["version"] = (version - 1).ToString() }, tokenFrom: $"/packages/{package.Key}");
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else changed this package since you opened it", await stale.Content.ReadAsStringAsync());

        var staleAssociation = await manager.PostFormAsync($"/packages/{package.Key}/association",
            new() { ["Status"] = "Active", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = (version - 1).ToString() }, tokenFrom: $"/packages/{package.Key}");
        Assert.Equal(HttpStatusCode.Conflict, staleAssociation.StatusCode);
    }

    [SkippableFact]
    public async Task Commands_on_records_that_do_not_exist_answer_404_from_the_handler()
    {
        Requires.Available(app);
        var package = await app.CreatePackageAsync();
        using var admin = await app.SignInAsAdminAsync();
        const long missing = 999_999_999;
        var posts = new (string Url, Dictionary<string, string> Fields)[]
        {
            ($"/licenses/{missing}/modify", new() { ["Status"] = "Active", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = "1" }),
            ($"/packages/{missing}/association", new() { ["Status"] = "Active", ["SiteLicense"] = "true", ["DoesNotExpire"] = "true", ["Version"] = "1" }),
            ($"/packages/{missing}/lead-manager", new() { ["leadManagerId"] = "", ["version"] = "1" }),
            ($"/packages/{missing}/retry", new()),
            ($"/packages/{missing}/refresh", new()),
            ($"/leads/{missing}/convert", new() { ["accountChoice"] = "new", ["newAccountName"] = "Acme" }),
            ($"/admin/alerts/rules/{missing}", new() { ["Name"] = "x", ["Trigger"] = "LicenseSuspended" }),
            ($"/admin/alerts/templates/{missing}", new() { ["Name"] = "x", ["Subject"] = "s", ["Body"] = "b" }),
            ($"/admin/alerts/templates/{missing}", new() { ["Name"] = "x", ["Subject"] = "s", ["Body"] = "b", ["intent"] = "preview" }),
        };
        foreach (var (url, fields) in posts)
            Assert.True(HttpStatusCode.NotFound == (await admin.PostFormAsync(url, fields, tokenFrom: $"/packages/{package.Key}")).StatusCode, url);
    }
}

public sealed class CommandResultPageAndApiTests_Sqlite(SqliteApp app) : CommandResultPageAndApiTests(app), IClassFixture<SqliteApp>;
public sealed class CommandResultPageAndApiTests_PostgreSql(PostgresApp app) : CommandResultPageAndApiTests(app), IClassFixture<PostgresApp>;
