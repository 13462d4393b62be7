using System.Text.RegularExpressions;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LicenseManager.Tests.Browser;

/// <summary>
/// Every form an administrator can reach, submitted in a real browser with the token its own page gave it: a form
/// that lacks its antiforgery token (or posts to a route that fails) can't hide behind another form's token.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class EveryFormTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string FilledText = "Browser form test";

    [SkippableFact]
    public async Task Every_form_reachable_from_the_navigation_submits_without_a_400_or_500()
    {
        Skip.IfNot(app.BrowserAvailable, "No Chromium here (set LMA_TEST_BROWSER); .ci/run requires it.");

        // Throwaway records for the destructive forms (delete, revoke, deactivate, reset password).
        var package = await app.CreatePackageAsync();
        var org = Events.NewOrgId();
        await app.SendAsync(Events.Install(package.VersionId, org));
        var license = (await app.LicenseAsync(package.Key, org))!;
        var user = await app.CreateUserAsync(Roles.SalesRep);
        var key = (await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("throwaway", [ApiScopes.Check], [], default)).Value;
        var adminId = await app.WithDb(db => Task.FromResult(db.Users.Single(u => u.Email == LmaApp.AdminEmail).Id));
        await app.WithDb(async db =>
        {
            db.SavedViews.Add(new SavedView { OwnerId = adminId, List = "licenses", Name = "Throwaway view", Query = "?status=Active", CreatedAt = app.Clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        });
        bool Mine(string action) =>
            !(UserAction().Match(action) is { Success: true } u && u.Groups[1].Value != user.Id)
            && !(ApiKeyAction().Match(action) is { Success: true } k && k.Groups[1].Value != key!.Key.Id.ToString());

        var page = await app.OpenSignedInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // "Refresh licenses for ...?" and the like

        // Plus a filtered list, where "Save view" appears.
        var pages = await ReachablePagesAsync(page, first: [$"/licenses/{license.Id}", "/licenses?status=Active"]);
        Assert.Contains("/admin/alerts", pages);
        Assert.Contains($"/licenses/{license.Id}/modify", pages);

        var forms = new List<(string Url, string Action)>();
        foreach (var url in pages)
        {
            await page.GotoAsync(url);
            var actions = await page.Locator("main form[method=post]").EvaluateAllAsync<string[]>("fs => fs.map(f => f.getAttribute('action') || '')");
            forms.AddRange(actions.Distinct().Where(Mine).Select(a => (url, a)));
        }
        // Deleting the throwaway license first would leave its Modify page nothing to show.
        static bool Destructive(string action) => action.EndsWith("/delete") || action.EndsWith("/revoke") || action.EndsWith("/active");
        var submitted = new List<string>();
        var failures = new List<string>();
        // A destructive form shown on several pages (a saved view's delete, on each list page) can only be submitted once.
        forms = forms.Where((f, i) => !Destructive(f.Action) || forms.FindIndex(g => g.Action == f.Action) == i).ToList();
        foreach (var (url, action) in forms.OrderBy(f => Destructive(f.Action)))
        {
            await page.GotoAsync(url);
            var form = page.Locator($"main form[method=post][action='{action}']").First;
            // A form in a menu (the saved views' delete buttons) is submitted the way a person reaches it: menu open.
            if (!await form.IsVisibleAsync())
            {
                var toggle = page.Locator($".dropdown:has(form[action='{action}']) [data-bs-toggle=dropdown]").First;
                if (await toggle.CountAsync() > 0) await toggle.ClickAsync();
            }
            if (!await form.IsVisibleAsync())
            {
                failures.Add($"{url} -> {action}: not visible, so not submitted");
                continue;
            }
            await FillAsync(form);
            var outcome = await SubmitAsync(page, form);
            submitted.Add($"{url} -> {action}: {outcome}");
            if (outcome.StartsWith("FAILED")) failures.Add($"{url} -> {action}: {outcome}");
        }
        // The layout's own form, last: it ends the session.
        var logout = await SubmitAsync(page, page.Locator("header form[action='/sign-out']"));
        submitted.Add($"/ -> /sign-out: {logout}");
        if (logout.StartsWith("FAILED")) failures.Add($"/sign-out: {logout}");

        Assert.True(failures.Count == 0, $"{failures.Count} form(s) failed:\n{string.Join("\n", failures)}\n\nAll submitted:\n{string.Join("\n", submitted)}");
        Assert.Contains(submitted, s => s.Contains("/admin/alerts/expiry-scan"));
        Assert.Contains(submitted, s => s.Contains($"/licenses/{license.Id}/delete"));
        Assert.Contains(submitted, s => s.Contains($"/admin/users/{user.Id}/active"));
        Assert.Contains(submitted, s => s.Contains($"/admin/api-keys/{key!.Key.Id}/revoke"));
        Assert.Contains(submitted, s => s.Contains($"/licenses/{license.Id}/modify: "));
        Assert.Contains(submitted, s => s.Contains("-> /saved-views: "));
        Assert.Contains(submitted, s => s.Contains("-> /saved-views/") && s.Contains("/delete: "));
        Assert.True(submitted.Count >= 20, $"only {submitted.Count} forms found:\n{string.Join("\n", submitted)}");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The navigation's pages, then the pages one and two clicks from them: one page of each kind (a record of each
    /// list, its edit page...), since every record of a kind has the same forms.
    /// </summary>
    private static async Task<List<string>> ReachablePagesAsync(IPage page, string[] first)
    {
        await page.GotoAsync("/");
        var nav = (await page.Locator("header nav a[href^='/']").EvaluateAllAsync<string[]>("as => as.map(a => a.getAttribute('href'))")).Distinct().ToList();
        var found = new List<string>();
        var kinds = new HashSet<string>();
        void Add(string url)
        {
            if (kinds.Add(Kind(url))) found.Add(url);
        }
        foreach (var url in nav.Where(Followable)) Add(url);
        foreach (var url in first) Add(url);
        var frontier = found.ToList();
        for (var depth = 0; depth < 2; depth++)
        {
            var next = new List<string>();
            foreach (var url in frontier)
            {
                await page.GotoAsync(url);
                var links = await page.Locator("main a[href^='/']").EvaluateAllAsync<string[]>("as => as.map(a => a.getAttribute('href'))");
                foreach (var link in links.Where(Followable))
                {
                    if (kinds.Contains(Kind(link))) continue;
                    Add(link);
                    next.Add(link);
                }
            }
            frontier = next;
        }
        return found;
    }

    /// <summary>Pages of this app that a person opens; not downloads, the API, Hangfire's own dashboard or list variations.</summary>
    private static bool Followable(string href) =>
        !href.Contains('?') && !href.Contains('#') && !href.StartsWith("/api") && !href.StartsWith("/openapi") && !href.StartsWith("/hangfire")
        && !href.Contains("export") && !href.EndsWith(".csv") && !href.StartsWith("/sign-out") && !href.StartsWith("/lib/") && !href.StartsWith("/.well-known");

    private static string Kind(string url) => IdSegment().Replace(url, "/{id}");

    /// <summary>Valid values where the form has none: a person filling in the form, not an attacker.</summary>
    private async Task FillAsync(ILocator form)
    {
        foreach (var field in await form.Locator("input:not([type=hidden]):not([type=submit]):not([type=button]), textarea, select").AllAsync())
        {
            if (!await field.IsVisibleAsync() || !await field.IsEnabledAsync()) continue;
            var tag = await field.EvaluateAsync<string>("e => e.tagName.toLowerCase()");
            var type = (await field.GetAttributeAsync("type"))?.ToLowerInvariant() ?? "text";
            var name = await field.GetAttributeAsync("name") ?? "";
            if (tag == "select")
            {
                if (await field.InputValueAsync() is { Length: > 0 }) continue;
                var values = await field.Locator("option").EvaluateAllAsync<string[]>("os => os.map(o => o.value).filter(v => v)");
                if (values.Length > 0) await field.SelectOptionAsync(values[0]);
                continue;
            }
            if (type is "checkbox" or "radio" or "file") continue;
            if (await field.InputValueAsync() is { Length: > 0 }) continue;
            var placeholder = await field.GetAttributeAsync("placeholder");
            await field.FillAsync(type switch
            {
                "password" => LmaApp.AdminPassword, // change password to the same one: the session and other tests go on
                "email" => $"form-{Guid.NewGuid():N}@test.local",
                "number" => "5",
                "date" => app.Clock.GetUtcNow().UtcDateTime.AddDays(30).ToString("yyyy-MM-dd"),
                "url" => "https://example.com",
                _ when name.StartsWith("confirm", StringComparison.OrdinalIgnoreCase) && placeholder is { Length: > 0 } => placeholder,
                _ when name.Contains("email", StringComparison.OrdinalIgnoreCase) => $"form-{Guid.NewGuid():N}@test.local",
                _ => FilledText,
            });
        }
    }

    private const int SubmitTimeoutMs = 60_000;

    /// <summary>Submits with the form's own button and reports the answers the browser got; FAILED for 400, 403-405 or 5xx.</summary>
    private static async Task<string> SubmitAsync(IPage page, ILocator form)
    {
        var answers = new List<(int Status, string Url)>();
        void OnResponse(object? _, IResponse r)
        {
            if (r.Request.IsNavigationRequest && r.Frame == page.MainFrame) answers.Add((r.Status, new Uri(r.Url).PathAndQuery));
        }
        page.Response += OnResponse;
        try
        {
            var button = form.Locator("button[type=submit], input[type=submit], button:not([type])").First;
            // A form answers with a page or, like Move the LMA's export, with a file the browser downloads.
            var posted = page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Request.IsNavigationRequest, new() { Timeout = SubmitTimeoutMs });
            var downloaded = page.WaitForDownloadAsync(new() { Timeout = SubmitTimeoutMs });
            if (await button.CountAsync() > 0) await button.ClickAsync();
            else await form.EvaluateAsync("f => f.requestSubmit()");
            var first = await Task.WhenAny(posted, downloaded);
            if (first == downloaded && downloaded.IsCompletedSuccessfully)
            {
                _ = posted.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: a download is no navigation
                var file = await downloaded.Result.PathAsync(); // the whole answer arrived
                return $"200 download {downloaded.Result.SuggestedFilename} ({new FileInfo(file).Length:N0} bytes)";
            }
            _ = downloaded.ContinueWith(t => t.Exception, TaskScheduler.Default);
            try { await posted; }
            catch (TimeoutException) { return $"FAILED no answer to the POST within {SubmitTimeoutMs / 1000} s"; }
            await page.WaitForLoadStateAsync(LoadState.Load);
        }
        finally
        {
            page.Response -= OnResponse;
        }
        var body = await page.Locator("body").InnerTextAsync();
        var summary = string.Join(", ", answers.Select(a => $"{a.Status} {a.Url}"));
        var bad = answers.Any(a => a.Status is 400 or 403 or 404 or 405 or >= 500) || body.Contains("Bad Request", StringComparison.OrdinalIgnoreCase);
        return (bad ? "FAILED " : "") + summary;
    }

    [GeneratedRegex(@"/\d+(?=/|$)")]
    private static partial Regex IdSegment();

    [GeneratedRegex(@"^/admin/users/([^/]+)/")]
    private static partial Regex UserAction();

    [GeneratedRegex(@"^/admin/api-keys/(\d+)/")]
    private static partial Regex ApiKeyAction();
}
