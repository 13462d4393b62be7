using System.Globalization;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>List views and dashboard as a signed-in user.</summary>
public sealed class PagesScenario : IBenchmarkScenario
{
    public const string Title = "list views and dashboard";
    public string Name => Title;
    public string? Option => "pages";
    public ScenarioStage Stage => ScenarioStage.Running;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var user = await WebSession.LoginAsync(context.App.BaseAddress, context.App.AdminEmail, context.App.AdminPassword);
        var today = DataSet.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var in30 = DataSet.Today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var deep = "/licenses";
        var hops = 0;
        for (; hops < o.DeepPageHops; hops++)
        {
            if (WebSession.NextPageIn(await user.GetPageAsync(deep)) is not { } next) break;
            deep = next;
        }
        result.Check($"deep page reached after {o.DeepPageHops} next-page links", hops == o.DeepPageHops, $"{hops} hops");

        (string Name, string Url, string Target)[] pages =
        [
            ("licenses, first page", "/licenses", "p95 <= 100 ms"),
            ("licenses, Trial expiring in 30 days", $"/licenses?status=Trial&expiresAfter={today}&expiresBefore={in30}&sort=expiration&dir=asc", "p95 <= 100 ms"),
            ("licenses, sorted by org", "/licenses?sort=org", "p95 <= 100 ms"),
            ($"licenses, deep page ({hops} pages in)", deep, "p95 <= 100 ms, <= 2x first"),
            ("leads from package installations", "/leads?source=Package%20Installation", "p95 <= 100 ms"),
            ("account with its licenses", "/accounts/1", "p95 <= 100 ms"),
            ("dashboard", "/", "p95 <= 300 ms"),
        ];
        var p95s = new Dictionary<string, double>();
        foreach (var (name, url, target) in pages)
        {
            // The dashboard's figures are cached for 30 s: its first request computes them all, so it is reported too.
            var first = await user.TimePageAsync(url);
            if (url == "/") result.Add(new Metric("dashboard, very first request (figures computed, view compiled)", first, "ms"));
            await user.TimePageAsync(url); // warm-up: first-hit compilation and caches
            var samples = new List<double>();
            for (var s = 0; s < o.PageSamples; s++) samples.Add(await user.TimePageAsync(url));
            var p95 = Stats.Percentile(samples, 95);
            p95s[url] = p95;
            result.Add(new Metric($"{name}: p50", Stats.Median(samples), "ms"));
            result.Add(new Metric($"{name}: p95", p95, "ms") { Target = target });
        }
        result.Add(new Metric("deep page p95 / first page p95", p95s[deep] / p95s["/licenses"], "x") { Target = "<= 2" });

        var uncached = await DashboardAfterChangeAsync(context, user, result);
        result.Add(new Metric("dashboard, first request after a change (not from the 30 s cache)", Stats.Median(uncached), "ms")
            { Target = "<= 300 ms", Runs = uncached });
        result.Note = $"{o.PageSamples} samples per page after 2 warm-ups; the dashboard after a change: {uncached.Count} sample(s), " +
                      $"each after one install event and {DashboardCache.TotalSeconds + 1:0} s without a dashboard request";
    }

    /// <summary>The dashboard caches its figures for 30 s (issue 15 names it): a request after that long computes them again.</summary>
    private static readonly TimeSpan DashboardCache = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The dashboard's first request after the data changed: one signed install event for a new org (its license
    /// awaited in the database), then, once the cache has expired (31 s after the last dashboard request), one timed
    /// request. The view is compiled by then, so this is the figures' cost. One sample in --quick, --runs otherwise.
    /// </summary>
    private static async Task<List<double>> DashboardAfterChangeAsync(ScenarioContext context, WebSession user, ScenarioResult result)
    {
        var o = context.Options;
        var package = context.Data.ChangePackage;
        using var http = LoadDriver.Client(context.App.BaseAddress, 1);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var sinceDashboard = System.Diagnostics.Stopwatch.StartNew(); // "/" was the last page timed above
        var samples = new List<double>();
        for (var s = 0; s < (o.Quick ? 1 : o.Runs); s++)
        {
            var prefix = $"change-{tag}-{s}-";
            var seq = await context.Db.NextOrgSeqAsync(package.Key);
            var before = await context.Db.CountLicensesAsync(package.Key);
            var posted = await LoadDriver.PostEventsAsync(http, context.App.IngestSecret, 1, 1,
                i => InstallBurstScenario.Event(prefix + i, package, DataSet.OrgId('C', 0, seq + i), i), rate: null, TimeSpan.FromSeconds(30));
            var done = await context.WaitForLicensesAsync(package.Key, before + 1);
            result.Check($"dashboard sample {s + 1}: the change (one install event) became a license", posted.Accepted == 1 && done.Count == before + 1,
                $"{posted.Accepted} accepted, {done.Count - before} new licenses");
            var wait = DashboardCache + TimeSpan.FromSeconds(1) - sinceDashboard.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            samples.Add(await user.TimePageAsync("/"));
            sinceDashboard.Restart();
        }
        return samples;
    }
}
