using System.Net;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LicenseManager.Tests.Web;

/// <summary>The demo org: loaded through the real install pipeline, then every page rendered as an administrator.</summary>
public class DemoApp() : SqliteApp(("Lma:SeedDemoData", "true"));

public sealed class PageTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Fact]
    public async Task Demo_data_has_licenses_in_every_status_leads_converted_accounts_and_held_installs()
    {
        var byStatus = await app.WithDb(db => db.Licenses.GroupBy(l => l.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));
        foreach (var status in Enum.GetValues<LicenseStatus>()) Assert.True(byStatus.GetValueOrDefault(status) > 0, $"no {status} license");
        Assert.True(byStatus.Values.Sum() >= 250);
        Assert.True(await app.WithDb(db => db.Leads.CountAsync(l => l.IsConverted)) > 10);
        Assert.True(await app.WithDb(db => db.Licenses.CountAsync(l => l.AccountKey != null)) > 10);
        Assert.True(await app.WithDb(db => db.InstallEvents.CountAsync(e => e.State == InstallEventState.Held)) > 0);
        Assert.Equal(0, await app.WithDb(db => db.InstallEvents.CountAsync(e => e.State == InstallEventState.Pending)));
        // The demo speaks the platform's id formats, so the API answers for its packages and orgs.
        Assert.All(await app.WithDb(db => db.Packages.Select(p => p.PackageId + "|" + p.DeveloperOrgId).ToListAsync()), ids => Assert.Equal(37, ids.Length));
        Assert.All(await app.WithDb(db => db.PackageVersions.Select(v => v.VersionId).ToListAsync()), id => Assert.Equal(18, id.Length));
        Assert.All(await app.WithDb(db => db.Licenses.Select(l => l.SubscriberOrgId).ToListAsync()), id => Assert.Equal(15, id.Length));
    }

    [Fact]
    public async Task Every_page_renders_for_an_administrator()
    {
        using var admin = await app.SignInAsAdminAsync();
        var ids = await app.WithDb(async db => new
        {
            Package = await db.Packages.Select(p => p.Id).FirstAsync(),
            Version = await db.PackageVersions.Select(v => v.Id).FirstAsync(),
            License = await db.Licenses.Select(l => l.Id).FirstAsync(),
            Lead = await db.Leads.Where(l => l.IsConverted).Select(l => l.Id).FirstAsync(),
            OpenLead = await db.Leads.Where(l => !l.IsConverted).Select(l => l.Id).FirstAsync(),
            Account = await db.Accounts.Select(a => a.Id).FirstAsync(),
            Contact = await db.Contacts.Select(c => c.Id).FirstAsync(),
        });
        string[] pages =
        [
            "/", "/packages", $"/packages/{ids.Package}", $"/packages/{ids.Package}/troubleshooting", "/package-versions", $"/package-versions/{ids.Version}",
            "/licenses", $"/licenses/{ids.License}", $"/licenses/{ids.License}/modify", "/leads", $"/leads/{ids.Lead}", $"/leads/{ids.OpenLead}",
            "/accounts", $"/accounts/{ids.Account}", "/contacts", $"/contacts/{ids.Contact}", "/admin/users", "/change-password",
            "/licenses?status=Trial&expiresAfter=2026-01-01&expiresBefore=2027-12-31&seats=site&sandbox=false&orgStatus=Active&edition=Enterprise%20Edition&q=Acme",
            "/leads?source=Package%20Installation&converted=false&owner=lma",
        ];
        foreach (var page in pages) await admin.GetPageAsync(page);
    }

    [Fact]
    public async Task Every_list_sorts_by_every_column_both_ways_and_pages_with_a_cursor()
    {
        using var admin = await app.SignInAsAdminAsync();
        var lists = new Dictionary<string, IEnumerable<string>>
        {
            ["/licenses"] = LicenseManager.Web.Features.Licenses.LicenseList.Definition.SortColumns.Select(c => c.Name),
            ["/leads"] = LicenseManager.Web.Features.Leads.LeadList.Definition.SortColumns.Select(c => c.Name),
            ["/packages"] = LicenseManager.Web.Features.Packages.PackageList.Definition.SortColumns.Select(c => c.Name),
            ["/package-versions"] = LicenseManager.Web.Features.PackageVersions.PackageVersionList.Definition.SortColumns.Select(c => c.Name),
            ["/accounts"] = LicenseManager.Web.Features.Accounts.AccountList.Definition.SortColumns.Select(c => c.Name),
            ["/contacts"] = LicenseManager.Web.Features.Contacts.ContactList.Definition.SortColumns.Select(c => c.Name),
        };
        foreach (var (list, columns) in lists)
            foreach (var column in columns)
                foreach (var dir in new[] { "asc", "desc" })
                    await admin.GetPageAsync($"{list}?sort={column}&dir={dir}");

        // Walking every page of the licenses sorted by a nullable column visits each license exactly once.
        var seen = new List<string>();
        var url = "/licenses?sort=expiration&dir=asc";
        var parser = new HtmlParser();
        for (var guard = 0; url is not null && guard < 100; guard++)
        {
            var doc = parser.ParseDocument(await admin.GetPageAsync(url));
            seen.AddRange(doc.QuerySelectorAll("[data-testid=licenses-table] tbody tr td:first-child a").Select(a => a.TextContent));
            url = doc.QuerySelector("[data-testid=next-page]")?.GetAttribute("href");
        }
        Assert.Equal(await app.WithDb(db => db.Licenses.CountAsync()), seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Lists_export_what_they_show_as_csv()
    {
        using var admin = await app.SignInAsAdminAsync();
        var response = await admin.GetAsync("/licenses/export?status=Uninstalled");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("License Name,Package", lines[0]);
        Assert.Equal(await app.WithDb(db => db.Licenses.CountAsync(l => l.Status == LicenseStatus.Uninstalled)), lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(",Uninstalled,", l));
        foreach (var list in new[] { "leads", "packages", "package-versions", "accounts", "contacts" })
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/{list}/export")).StatusCode);
    }

    [Fact]
    public async Task Unknown_records_get_the_not_found_page()
    {
        using var admin = await app.SignInAsAdminAsync();
        var response = await admin.GetAsync("/licenses/999999999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("data-testid=\"not-found\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_tampered_cursor_is_named_and_the_list_starts_over_instead_of_failing()
    {
        using var admin = await app.SignInAsAdminAsync();
        foreach (var url in new[] { "/licenses?sort=expiration&after=not-a-cursor", "/licenses?sort=installed&after=dnwxMjM0fGdhcmJhZ2U" })
        {
            var response = await admin.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("data-testid=\"filter-error-after\"", html);
            Assert.Contains("data-testid=\"licenses-table\"", html); // the first page, shown anyway
        }
    }
}
