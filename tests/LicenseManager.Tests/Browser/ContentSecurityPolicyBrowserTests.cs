using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace LicenseManager.Tests.Browser;

/// <summary>
/// Issue 13, HTTP: under the Content-Security-Policy (no inline script) the pages' own scripts still work, and the
/// browser reports no violation on the app's pages, the jobs dashboard or the API reference.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private void RequireBrowser() => Skip.IfNot(app.BrowserAvailable, "No Chromium here (set LMA_TEST_BROWSER); .ci/run requires it.");

    /// <summary>Collects what the browser reports: console errors naming the policy, and securitypolicyviolation events.</summary>
    private sealed class ViolationWatch
    {
        private readonly List<string> _console = [];
        private readonly IPage _page;

        private ViolationWatch(IPage page)
        {
            _page = page;
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) lock (_console) _console.Add(message.Text);
            };
        }

        public static async Task<ViolationWatch> StartAsync(IPage page)
        {
            // Init scripts are injected by the driver, not by the page, so the policy doesn't block the listener itself.
            await page.Context.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => { (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber); });");
            return new ViolationWatch(page);
        }

        public async Task AssertNoneAsync(string where)
        {
            var events = await _page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
            string[] console;
            lock (_console) console = [.. _console];
            Assert.True(events.Length == 0 && console.Length == 0, $"{where}: CSP violations:\n{string.Join("\n", events.Concat(console))}");
        }
    }

    private static async Task<IResponse> OpenAsync(IPage page, string url)
    {
        var response = await page.GotoAsync(url) ?? throw new InvalidOperationException($"no response for {url}");
        Assert.True(response.Ok, $"{url}: {response.Status}");
        var csp = await response.HeaderValueAsync("content-security-policy");
        Assert.True(csp is not null && csp.Contains("frame-ancestors 'none'"), $"{url}: no Content-Security-Policy ({csp})");
        return response;
    }

    [SkippableFact]
    public async Task The_pages_scripts_work_under_the_policy_and_nothing_is_reported()
    {
        RequireBrowser();
        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        var watch = await ViolationWatch.StartAsync(page);

        // Modify License: "Site License" disables the seats box (wwwroot/js/site.js).
        var license = await app.WithDb(db => db.Licenses.AsNoTracking().Where(l => l.Status == LicenseStatus.Active && l.Seats != null).OrderBy(l => l.Id).FirstAsync());
        var response = await OpenAsync(page, $"/licenses/{license.Id}/modify");
        Assert.Contains("script-src 'self'", await response.HeaderValueAsync("content-security-policy"));
        await Assertions.Expect(page.Locator("#Seats")).ToBeEnabledAsync();
        await page.CheckAsync("#SiteLicense");
        await Assertions.Expect(page.Locator("#Seats")).ToBeDisabledAsync();
        await page.UncheckAsync("#SiteLicense");
        await Assertions.Expect(page.Locator("#Seats")).ToBeEnabledAsync();
        await watch.AssertNoneAsync("Modify License");

        // Convert Lead: typing an account id chooses the "existing account by id" option (was an inline oninput).
        var lead = await app.WithDb(db => db.Leads.AsNoTracking().Where(l => !l.IsConverted).OrderByDescending(l => l.Id).FirstAsync());
        await OpenAsync(page, $"/leads/{lead.Id}");
        await page.FillAsync("#accountSearch", "42");
        await Assertions.Expect(page.Locator("#acc-other")).ToBeCheckedAsync();
        Assert.Equal("42", await page.EvalOnSelectorAsync<string>("#acc-other", "e => e.value"));
        await page.FillAsync("#accountSearch", "");
        await Assertions.Expect(page.Locator("#acc-other")).Not.ToBeCheckedAsync();
        await watch.AssertNoneAsync("Lead");

        // Refresh Licenses asks first (was an inline onsubmit); dismissing the question sends nothing.
        var package = await app.CreatePackageAsync();
        await OpenAsync(page, $"/packages/{package.Key}");
        string? asked = null;
        page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.DismissAsync(); };
        await page.GetByTestId("refresh-licenses").ClickAsync();
        Assert.NotNull(asked);
        Assert.Contains("Refresh licenses for", asked);
        Assert.EndsWith($"/packages/{package.Key}", page.Url);
        await watch.AssertNoneAsync("Package");

        // The navigation collapses on a phone and Bootstrap's script opens it.
        await page.SetViewportSizeAsync(390, 844);
        await OpenAsync(page, "/licenses");
        await page.ClickAsync(".navbar-toggler");
        await Assertions.Expect(page.Locator("#mainnav >> text=Leads")).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(1366, 900);
        await OpenAsync(page, "/");
        await watch.AssertNoneAsync("Dashboard");
        await page.Context.CloseAsync();
    }

    [SkippableFact]
    public async Task The_jobs_dashboard_and_the_API_reference_work_under_their_policies()
    {
        RequireBrowser();
        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        var watch = await ViolationWatch.StartAsync(page);

        await OpenAsync(page, "/hangfire");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("LicenseManager jobs");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await watch.AssertNoneAsync("Hangfire dashboard");
        await app.ScreenshotAsync(page, "csp-hangfire");

        await OpenAsync(page, "/api/docs");
        // Rendered by Scalar's scripts from the OpenAPI document (the page itself holds no operation).
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Management (scope manage)", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("Check a license (isCurrentUserLicensed)");
        await watch.AssertNoneAsync("API reference");
        await app.ScreenshotAsync(page, "csp-api-docs");
        await page.Context.CloseAsync();
    }
}
