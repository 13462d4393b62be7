using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Api;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.Accounts;
using LicenseManager.Web.Features.Contacts;
using LicenseManager.Web.Features.Leads;
using LicenseManager.Web.Features.Licenses;
using LicenseManager.Web.Features.Packages;
using LicenseManager.Web.Features.PackageVersions;
using LicenseManager.Web.Infrastructure.Lists;

namespace LicenseManager.Tests.Web;

/// <summary>
/// A list's columns are defined once (<see cref="ListDefinition{TEntity}"/>): the page's header row, the CSV's header
/// and cells and the management API's list all come from that one definition, so they can't drift apart.
/// </summary>
public abstract class ListDefinitionTests(LmaApp app)
{
    [SkippableFact]
    public async Task License_list_columns_agree_between_page_header_csv_header_and_api()
    {
        Requires.Available(app);
        var org = await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        await app.SendAsync(Events.Install(org.Package.VersionId, Events.NewOrgId()));
        var list = LicenseList.Definition;
        var filter = $"package={org.Package.PackageId}&sort=name&dir=asc";
        using var admin = await app.SignInAsAdminAsync();

        // The page's header row: the definition's page columns, in order, sortable ones linking to their sort.
        var page = new HtmlParser().ParseDocument(await admin.GetPageAsync($"/licenses?{filter}"));
        var headers = page.QuerySelectorAll("[data-testid=licenses-table] thead th").ToList();
        Assert.Equal(list.PageColumns.Select(c => c.Name), headers.Select(h => h.GetAttribute("data-column")));
        Assert.Equal(list.PageColumns.Select(c => c.Label), headers.Select(h => h.TextContent.Replace("▲", "").Replace("▼", "").Trim()));
        Assert.All(headers, h => Assert.Contains("sort=" + h.GetAttribute("data-column"), h.QuerySelector("a")?.GetAttribute("href") ?? ""));

        // The CSV's header: the definition's CSV columns, which are the columns licenses.csv has always had.
        var csv = (await (await admin.GetAsync($"/licenses/export?{filter}")).Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Cells(l.TrimEnd('\r'))).ToList();
        Assert.Equal(list.CsvHeaders, csv[0]);
        Assert.Equal(["License Name", "Package", "Package Version Number", "Subscriber Org ID", "Org Name", "License Status", "Licensed Seats",
            "Used Licenses", "Expiration Date", "Install Date", "Org Edition", "Org Status", "Org Expiration Date", "Sandbox", "Instance", "Information Current As Of"], csv[0]);

        // The API: the same filters, sort and rows; each column's API field carries what the CSV cell shows.
        var api = app.ApiClient(await app.CreateKeyAsync());
        var items = (await api.GetJsonAsync($"/api/v1/licenses?{filter}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(csv.Count - 1, items.Count);
        var pageNames = page.QuerySelectorAll("[data-testid=licenses-table] tbody tr td:first-child a").Select(a => a.TextContent).ToList();
        Assert.Equal(pageNames, items.Select(i => i.GetProperty("name").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var (row, item) in csv.Skip(1).Zip(items))
            foreach (var column in list.CsvColumns.Where(c => c.ApiField is not null))
            {
                Assert.True(item.TryGetProperty(column.ApiField!, out var field), $"the API has no field {column.ApiField} for column {column.Name}");
                var cell = row[list.CsvColumns.ToList().IndexOf(column)];
                if (column.Name is "name" or "orgId" or "org" or "status" or "version" or "edition" or "orgStatus" or "instance")
                    Assert.Equal(cell, field.ValueKind == JsonValueKind.Number ? field.GetRawText() : field.GetString() ?? "");
            }

        // Every sort the page offers, the API takes.
        foreach (var column in list.SortColumns)
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/licenses?package={org.Package.PackageId}&sort={column.Name}&dir=desc")).StatusCode);
    }

    [SkippableFact]
    public async Task Every_list_exports_the_csv_columns_it_always_had_and_shows_its_defined_headers()
    {
        Requires.Available(app);
        await app.LicensedOrgAsync(new LicenseDefaults(LicenseStatus.Active, 5, null));
        using var admin = await app.SignInAsAdminAsync();
        var expected = new Dictionary<string, (IReadOnlyList<string> Csv, IReadOnlyList<ListColumn> Page)>
        {
            ["leads"] = (["First Name", "Last Name", "Company", "Email", "Phone", "State", "Country", "Lead Source", "Owner", "Converted", "Created"], LeadList.Definition.PageColumns),
            ["packages"] = (["Package Name", "Package ID", "Developer Name", "Developer Org ID", "Latest Version", "Release Date", "Associated"], PackageList.Definition.PageColumns),
            ["package-versions"] = (["Package Version Name", "Package", "Version", "Version ID", "Beta", "Release Date"], PackageVersionList.Definition.PageColumns),
            ["accounts"] = (["Account Name", "Phone", "Website", "State", "Country", "Created"], AccountList.Definition.PageColumns),
            ["contacts"] = (["First Name", "Last Name", "Email", "Phone", "Title", "Account"], ContactList.Definition.PageColumns),
        };
        var parser = new HtmlParser();
        foreach (var (list, (csvHeaders, pageColumns)) in expected)
        {
            var export = await admin.GetAsync($"/{list}/export");
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Equal($"attachment; filename=\"{list}.csv\"", export.Content.Headers.ContentDisposition?.ToString());
            var text = await export.Content.ReadAsStringAsync();
            Assert.Equal(csvHeaders, Cells(text[..text.IndexOf('\n')].TrimEnd('\r')));

            var page = parser.ParseDocument(await admin.GetPageAsync($"/{list}"));
            var headers = page.QuerySelectorAll("table thead th").ToList();
            if (headers.Count == 0) continue; // an empty list shows its empty state, not a table
            Assert.Equal(pageColumns.Select(c => c.Label), headers.Select(h => h.TextContent.Replace("▲", "").Replace("▼", "").Trim()));
        }
    }

    /// <summary>One CSV line's cells (quoted cells may hold commas and doubled quotes).</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}

public sealed class ListDefinitionTests_Sqlite(SqliteApp app) : ListDefinitionTests(app), IClassFixture<SqliteApp>;
public sealed class ListDefinitionTests_PostgreSql(PostgresApp app) : ListDefinitionTests(app), IClassFixture<PostgresApp>;
