using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace LicenseManager.Tests.Browser;

/// <summary>The team's daily work in a real browser, with a screenshot of each main page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private void RequireBrowser() => Skip.IfNot(app.BrowserAvailable, "No Chromium here (set LMA_TEST_BROWSER); .ci/run requires it.");

    [SkippableFact]
    public async Task Admin_logs_in_filters_licenses_and_opens_one()
    {
        RequireBrowser();
        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        await Assertions.Expect(page.GetByTestId("summary")).ToBeVisibleAsync();
        await app.ScreenshotAsync(page, "01-home");

        await page.ClickAsync("nav >> text=Licenses");
        await app.ScreenshotAsync(page, "02-licenses");
        await page.SelectOptionAsync("#status", "Suspended");
        await page.ClickAsync("[data-testid=apply-filters]");
        await page.WaitForURLAsync(url => url.Contains("status=Suspended"));
        var statuses = await page.Locator("[data-testid=licenses-table] tbody .badge[class*=status-]").AllTextContentsAsync();
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Equal("Suspended", s));

        await page.Locator("[data-testid=licenses-table] tbody tr td:first-child a").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("field-status")).ToHaveTextAsync("Suspended");
        await app.ScreenshotAsync(page, "03-license");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task License_manager_modifies_a_license_after_a_rejected_input()
    {
        RequireBrowser();
        var license = await app.WithDb(db => db.Licenses.AsNoTracking().Where(l => l.Status == LicenseStatus.Trial && !l.HasBeenActive).OrderBy(l => l.Id).FirstAsync());
        var manager = await app.CreateUserAsync(Roles.LicenseManager);
        var page = await app.OpenSignedInAsync(manager.Email!, LmaApp.UserPassword);

        await page.GotoAsync($"/licenses/{license.Id}");
        await page.GetByTestId("modify-license").ClickAsync();
        await page.SelectOptionAsync("#Status", "Trial");
        if (await page.IsCheckedAsync("#DoesNotExpire")) await page.UncheckAsync("#DoesNotExpire");
        await page.FillAsync("#ExpirationDate", DateOnly.FromDateTime(license.InstallDate).AddDays(120).ToString("yyyy-MM-dd"));
        await page.GetByTestId("save-license").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error-expiration")).ToContainTextAsync("at most 90 days");
        await app.ScreenshotAsync(page, "04-modify-license-rejected");

        await page.SelectOptionAsync("#Status", "Active");
        await page.UncheckAsync("#SiteLicense");
        await page.FillAsync("#Seats", "75");
        await page.CheckAsync("#DoesNotExpire");
        await page.GetByTestId("save-license").ClickAsync();
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync($"License {license.Id} saved");
        await Assertions.Expect(page.GetByTestId("field-seats")).ToHaveTextAsync("75");
        await Assertions.Expect(page.GetByTestId("field-expiration")).ToHaveTextAsync("Does not expire");
        await Assertions.Expect(page.GetByTestId("history")).ToContainTextAsync("License Status");
        await app.ScreenshotAsync(page, "05-license-modified");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Sales_rep_converts_a_lead_and_the_license_gains_the_account()
    {
        RequireBrowser();
        var lead = await app.WithDb(db => db.Leads.AsNoTracking().Where(l => !l.IsConverted && db.Licenses.Any(x => x.LeadKey == l.Id)).OrderBy(l => l.Id).FirstAsync());
        var licenseId = await app.WithDb(db => db.Licenses.Where(l => l.LeadKey == lead.Id).Select(l => l.Id).FirstAsync());
        var rep = await app.CreateUserAsync(Roles.SalesRep);
        var page = await app.OpenSignedInAsync(rep.Email!, LmaApp.UserPassword);

        await page.GotoAsync("/leads?source=Package%20Installation&converted=false");
        await app.ScreenshotAsync(page, "06-leads-from-installs");
        await page.GotoAsync($"/leads/{lead.Id}");
        await page.FillAsync("input[name=newAccountName]", "Browser Test Account");
        await page.GetByTestId("convert-lead").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/accounts/"));
        await Assertions.Expect(page.GetByTestId("account-licenses")).ToContainTextAsync(licenseId.ToString());
        await app.ScreenshotAsync(page, "07-account");

        await page.GotoAsync($"/licenses/{licenseId}");
        await Assertions.Expect(page.GetByTestId("field-account")).ToHaveTextAsync("Browser Test Account");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task License_manager_changes_the_lead_manager()
    {
        RequireBrowser();
        var package = await app.WithDb(db => db.Packages.AsNoTracking().Where(p => p.IsAssociated).OrderBy(p => p.Id).FirstAsync());
        var newManager = await app.CreateUserAsync(Roles.SalesRep);
        var manager = await app.CreateUserAsync(Roles.LicenseManager);
        var page = await app.OpenSignedInAsync(manager.Email!, LmaApp.UserPassword);

        await page.GotoAsync($"/packages/{package.Id}");
        await app.ScreenshotAsync(page, "08-package");
        await page.SelectOptionAsync("[data-testid=lead-manager-form] select", newManager.Id);
        await page.ClickAsync("[data-testid=lead-manager-form] button");
        await Assertions.Expect(page.GetByTestId("flash")).ToContainTextAsync("Lead manager changed");
        await Assertions.Expect(page.GetByTestId("lead-manager")).ToContainTextAsync(newManager.DisplayName);

        await page.GotoAsync($"/packages/{package.Id}/troubleshooting");
        await Assertions.Expect(page.GetByTestId("checklist")).ToBeVisibleAsync();
        await app.ScreenshotAsync(page, "09-troubleshooting");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Sales_rep_is_refused_Modify_License()
    {
        RequireBrowser();
        var licenseId = await app.WithDb(db => db.Licenses.Where(l => l.Status != LicenseStatus.Uninstalled).Select(l => l.Id).FirstAsync());
        var rep = await app.CreateUserAsync(Roles.SalesRep);
        var page = await app.OpenSignedInAsync(rep.Email!, LmaApp.UserPassword);

        await page.GotoAsync($"/licenses/{licenseId}");
        await Assertions.Expect(page.GetByTestId("modify-license")).ToHaveCountAsync(0);
        var response = await page.GotoAsync($"/licenses/{licenseId}/modify");
        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await app.ScreenshotAsync(page, "10-forbidden");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Dashboard_draws_its_charts_with_axis_labels()
    {
        RequireBrowser();
        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        await page.GotoAsync("/");
        foreach (var (chart, axis) in new[] { ("installs", "Events per week"), ("conversion", "Converted (%)"), ("seats", "Seats") })
        {
            var svg = page.GetByTestId($"chart-{chart}");
            await Assertions.Expect(svg).ToBeVisibleAsync();
            await Assertions.Expect(svg.Locator("text.axis-label").First).ToHaveTextAsync(axis);
            Assert.True(await svg.Locator("rect").CountAsync() > 1, $"{chart}: no columns drawn");
            var box = await svg.BoundingBoxAsync();
            Assert.True(box!.Width > 300 && box.Height > 100, $"{chart}: drawn {box.Width}x{box.Height}");
        }
        Assert.NotEqual("0", (await page.GetByTestId("installs-total").TextContentAsync())!.Trim());
        await app.ScreenshotAsync(page, "12-dashboard");

        await page.GetByTestId("hide-test-orgs").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("hideTestOrgs=true"));
        await page.GetByTestId("renewals-90").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/licenses?") && url.Contains("hideTestOrgs=true"));
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task Pages_work_on_a_phone_sized_screen()
    {
        RequireBrowser();
        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/licenses");
        await page.ClickAsync(".navbar-toggler");
        await Assertions.Expect(page.Locator("#mainnav >> text=Leads")).ToBeVisibleAsync();
        await app.ScreenshotAsync(page, "11-phone-licenses");
        await page.Context.CloseAsync();
    }
}
