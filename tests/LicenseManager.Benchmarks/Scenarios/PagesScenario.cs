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
            if (url == "/") result.Add(new Metric("dashboard, first request (figures computed, view compiled)", first, "ms"));
            await user.TimePageAsync(url); // warm-up: first-hit compilation and caches
            var samples = new List<double>();
            for (var s = 0; s < o.PageSamples; s++) samples.Add(await user.TimePageAsync(url));
            var p95 = Stats.Percentile(samples, 95);
            p95s[url] = p95;
            result.Add(new Metric($"{name}: p50", Stats.Median(samples), "ms"));
            result.Add(new Metric($"{name}: p95", p95, "ms") { Target = target });
        }
        result.Add(new Metric("deep page p95 / first page p95", p95s[deep] / p95s["/licenses"], "x") { Target = "<= 2" });
        result.Note = $"{o.PageSamples} samples per page after 2 warm-ups";
    }
}
