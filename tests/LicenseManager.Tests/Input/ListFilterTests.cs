using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;

namespace LicenseManager.Tests.Input;

/// <summary>
/// A defined list filter with a value that doesn't parse is an error the caller sees (never silently dropped); filters
/// take the ids people see (the 18-character Package ID and Version ID), and links between pages use them.
/// </summary>
public abstract class ListFilterApiTests(LmaApp app)
{
    [SkippableFact]
    public async Task The_license_list_answers_400_naming_each_filter_that_does_not_parse()
    {
        Requires.Available(app);
        await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var single = await api.GetAsync("/api/v1/licenses?status=Uninstaled");
        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        Assert.Equal("invalid_filter", await single.ProblemCodeAsync());
        Assert.Contains("Uninstalled", (await single.JsonAsync()).GetProperty("errors").GetProperty("status")[0].GetString());

        var many = await api.GetAsync("/api/v1/licenses?status=Uninstaled&minSeats=abc&expiresBefore=2026-31-12&sort=bogus&after=garbage&sandbox=maybe&seats=lots&dir=sideways&maxSeats=%D9%A3");
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.Equal("invalid_filter", await many.ProblemCodeAsync());
        var errors = (await many.JsonAsync()).GetProperty("errors");
        foreach (var name in new[] { "status", "minSeats", "expiresBefore", "sort", "after", "sandbox", "seats", "dir", "maxSeats" })
            Assert.True(errors.TryGetProperty(name, out _), $"no error for {name}: {errors}");
    }

    [SkippableFact]
    public async Task Unknown_parameters_and_empty_filters_are_not_errors()
    {
        Requires.Available(app);
        await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var api = app.ApiClient(await app.CreateKeyAsync());
        var page = await api.GetJsonAsync("/api/v1/licenses?utm_source=newsletter&status=Active&minSeats=&expiresBefore=&sort=name&dir=asc");
        Assert.True(page.GetProperty("items").GetArrayLength() > 0);
    }

    [SkippableFact]
    public async Task Package_and_version_filters_take_the_Package_ID_and_Version_ID()
    {
        Requires.Available(app);
        var a = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        await app.SendAsync(Events.Install(a.Package.VersionId, Events.NewOrgId()));
        await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        var api = app.ApiClient(await app.CreateKeyAsync());

        var byPackage = await api.GetJsonAsync($"/api/v1/licenses?package={a.Package.PackageId}");
        Assert.Equal(2, byPackage.GetProperty("items").GetArrayLength());
        Assert.All(byPackage.GetProperty("items").EnumerateArray(), l => Assert.Equal(a.Package.PackageId, l.GetProperty("packageId").GetString()));
        var byVersion = await api.GetJsonAsync($"/api/v1/licenses?version={a.Package.VersionId}");
        Assert.Equal(2, byVersion.GetProperty("items").GetArrayLength());

        var internalKey = await api.GetAsync($"/api/v1/licenses?package={a.Package.Key}");
        Assert.Equal(HttpStatusCode.BadRequest, internalKey.StatusCode);
        Assert.True((await internalKey.JsonAsync()).GetProperty("errors").TryGetProperty("package", out _));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ListFilterApiTests_Sqlite(SqliteApp app) : ListFilterApiTests(app);
[Collection(PostgresCollection.Name)]
public sealed class ListFilterApiTests_PostgreSql(PostgresApp app) : ListFilterApiTests(app);

/// <summary>One page per list: the bad filter's message beside its field, the other filters still applied.</summary>
[Collection(SqliteCollection.Name)]
public sealed class ListFilterPageTests(SqliteApp app)
{
    private static readonly HtmlParser Parser = new();

    private async Task<(LmaApp.TestPackage A, string AlphaOrg, string OtherCompany)> DataAsync()
    {
        var a = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 5, null));
        var b = await app.CreatePackageAsync(defaults: new LicenseDefaults(LicenseStatus.Active, 5, null));
        var alpha = "Alpha " + Guid.NewGuid().ToString("N")[..8];
        var other = "Other " + Guid.NewGuid().ToString("N")[..8];
        await app.SendAsync(Events.Install(a.VersionId, Events.NewOrgId(), company: alpha), Events.Install(b.VersionId, Events.NewOrgId(), company: other));
        return (a, alpha, other);
    }

    private static async Task<(HttpStatusCode Status, AngleSharp.Html.Dom.IHtmlDocument Page, string Html)> GetAsync(BrowserClient client, string url)
    {
        var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Parser.ParseDocument(html), html);
    }

    private static void AssertFilterError(AngleSharp.Html.Dom.IHtmlDocument page, string key)
    {
        var error = page.QuerySelector($"[data-testid=filter-error-{key}]");
        Assert.True(error is not null && error.TextContent.Trim().Length > 0, $"no message for {key}");
    }

    [Fact]
    public async Task Each_list_page_shows_the_bad_filter_beside_its_field_and_keeps_the_others()
    {
        var (a, alpha, other) = await DataAsync();
        using var admin = await app.SignInAsAdminAsync();

        var licenses = await GetAsync(admin, $"/licenses?package={a.PackageId}&minSeats=abc");
        Assert.Equal(HttpStatusCode.BadRequest, licenses.Status);
        AssertFilterError(licenses.Page, "minSeats");
        Assert.Equal("minSeats", licenses.Page.QuerySelector("[data-testid=filter-error-minSeats]")!.ParentElement!.QuerySelector("input")?.Id);
        Assert.Contains(alpha, licenses.Html);
        Assert.DoesNotContain(other, licenses.Html);

        var leads = await GetAsync(admin, $"/leads?converted=maybe&q={Uri.EscapeDataString(alpha)}");
        Assert.Equal(HttpStatusCode.BadRequest, leads.Status);
        AssertFilterError(leads.Page, "converted");
        Assert.Contains(alpha, leads.Html);
        Assert.DoesNotContain(other, leads.Html);

        var packages = await GetAsync(admin, $"/packages?associated=perhaps&q={a.PackageId}");
        Assert.Equal(HttpStatusCode.BadRequest, packages.Status);
        AssertFilterError(packages.Page, "associated");
        Assert.Contains(a.PackageId, packages.Html);
        Assert.Single(packages.Page.QuerySelectorAll("tbody tr"));

        var versions = await GetAsync(admin, $"/package-versions?beta=x&package={a.PackageId}");
        Assert.Equal(HttpStatusCode.BadRequest, versions.Status);
        AssertFilterError(versions.Page, "beta");
        Assert.Contains(a.VersionId, versions.Html);
        Assert.Single(versions.Page.QuerySelectorAll("tbody tr"));

        var accounts = await GetAsync(admin, "/accounts?sort=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, accounts.Status);
        AssertFilterError(accounts.Page, "sort");

        var contacts = await GetAsync(admin, "/contacts?account=abc");
        Assert.Equal(HttpStatusCode.BadRequest, contacts.Status);
        AssertFilterError(contacts.Page, "account");

        var cursor = await GetAsync(admin, "/licenses?sort=expiration&after=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, cursor.Status);
        AssertFilterError(cursor.Page, "after");
    }

    [Fact]
    public async Task The_licenses_page_filters_by_Package_ID_and_Version_ID_and_the_links_to_it_use_them()
    {
        var (a, alpha, other) = await DataAsync();
        using var admin = await app.SignInAsAdminAsync();

        var byVersion = await GetAsync(admin, $"/licenses?version={a.VersionId}");
        Assert.Equal(HttpStatusCode.OK, byVersion.Status);
        Assert.Contains(alpha, byVersion.Html);
        Assert.DoesNotContain(other, byVersion.Html);
        Assert.Equal(a.VersionId, byVersion.Page.QuerySelector("input#version")?.GetAttribute("value"));
        Assert.NotNull(byVersion.Page.QuerySelector($"select#package option[value='{a.PackageId}']"));

        var links = new List<string>();
        var packagePage = Parser.ParseDocument(await admin.GetPageAsync($"/packages/{a.Key}"));
        links.AddRange(packagePage.QuerySelectorAll("a[href^='/licenses?']").Select(x => x.GetAttribute("href")!));
        var versionKey = await app.WithDb(db => System.Threading.Tasks.Task.FromResult(db.PackageVersions.Single(v => v.VersionId == a.VersionId).Id));
        var versionPage = Parser.ParseDocument(await admin.GetPageAsync($"/package-versions/{versionKey}"));
        links.AddRange(versionPage.QuerySelectorAll("a[href^='/licenses?']").Select(x => x.GetAttribute("href")!));
        var dashboard = Parser.ParseDocument(await admin.GetPageAsync($"/packages/{a.Key}/dashboard"));
        links.AddRange(dashboard.QuerySelectorAll("a[href^='/licenses?'], a[href^='/leads?']").Select(x => x.GetAttribute("href")!));

        Assert.Contains(links, l => l.Contains($"package={a.PackageId}"));
        Assert.Contains(links, l => l.Contains($"version={a.VersionId}"));
        foreach (var link in links.Distinct())
        {
            var (status, _, html) = await GetAsync(admin, link);
            Assert.True(status == HttpStatusCode.OK, $"{link}: {(int)status}");
            Assert.DoesNotContain(other, html);
        }
    }
}
