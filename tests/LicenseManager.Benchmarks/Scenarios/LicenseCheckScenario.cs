using System.Net;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>License check: pluggable; this build may not have the endpoint (feature/licensing-api).</summary>
public sealed class LicenseCheckScenario : IBenchmarkScenario
{
    public const string Title = "license check";
    public string Name => Title;
    public string? Option => "check";
    public ScenarioStage Stage => ScenarioStage.Running;

    /// <summary>Before the app starts for the measured scenarios: an API key with scope check, unless one was given.</summary>
    public async Task PrepareAsync(ScenarioContext context)
    {
        if (!string.IsNullOrEmpty(context.ApiKey)) return;
        context.Log.WriteLine("==> Creating an API key with scope check (the app's api-keys create command)");
        context.ApiKey = await AppProcess.CreateApiKeyAsync(context.Settings, "benchmark", "check", context.AppLog);
    }

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var http = LoadDriver.Client(context.App.BaseAddress, o.Senders);
        // Probed as a signed-in user: anonymous requests to unknown routes are sent to the login page, not answered 404.
        var probeLicense = new LicenseRow(0, 1, context.Data.PackageOf(0), DataSet.OrgId('X', 0, 0), context.Data.Accounts);
        using (var user = await WebSession.LoginAsync(context.App.BaseAddress, context.App.AdminEmail, context.App.AdminPassword))
            if (await user.StatusAsync($"/api/v1/licenses/check?packageId={probeLicense.Package.PackageId}&orgId={probeLicense.OrgId}&userId=005000000000001")
                == HttpStatusCode.NotFound)
            {
                result.Status = ScenarioStatus.NotAvailable;
                result.Note = "GET /api/v1/licenses/check answers 404 (the licensing API is not in this build)";
                return;
            }

        List<double> trivial = [], rps = [], p50 = [], p99 = [], hotRps = [], hotP99 = [];
        long errors = 0;
        HttpRequestMessage Check(int license, int user)
        {
            var request = new HttpRequestMessage(HttpMethod.Get,
                $"/api/v1/licenses/check?packageId={context.Data.PackageOf(license).PackageId}&orgId={DataSet.OrgId('X', 0, license)}&userId=005{user:D12}");
            request.Headers.Authorization = new("Bearer", context.ApiKey);
            return request;
        }
        for (var r = 0; r < o.Runs; r++)
        {
            var health = await LoadDriver.RunAsync(http, o.Senders, o.LoadDuration, _ => new HttpRequestMessage(HttpMethod.Get, "/health/live"));
            trivial.Add(health.PerSecond);
            // The worst case: any license of the whole data set and any user, so the 5 s answer cache almost never hits.
            var check = await LoadDriver.RunAsync(http, o.Senders, o.LoadDuration, random => Check(random.Next(o.Licenses), random.Next(1_000_000)));
            // An app's busy hour: the same users of the same orgs check again and again (100 licenses, 5 users each), so
            // nearly every answer comes from the 5 s cache: the cost of the endpoint itself.
            var hot = await LoadDriver.RunAsync(http, o.Senders, o.LoadDuration, random => Check(random.Next(100), random.Next(5)));
            hotRps.Add(hot.PerSecond);
            hotP99.Add(Stats.Percentile(hot.LatenciesMs, 99));
            errors += hot.Errors;
            rps.Add(check.PerSecond);
            p50.Add(Stats.Percentile(check.LatenciesMs, 50));
            p99.Add(Stats.Percentile(check.LatenciesMs, 99));
            errors += check.Errors + health.Errors;
        }
        result.Add(new Metric("requests/s", Stats.Median(rps), "req/s")
            { Limit = Stats.Median(trivial), LimitName = "/health/live", Target = "SQLite >= 50 % of /health/live, PostgreSQL >= 25 %", Runs = rps });
        result.Add(new Metric("p50", Stats.Median(p50), "ms") { Runs = p50 });
        result.Add(new Metric("p99", Stats.Median(p99), "ms") { Target = "p99 <= 10 ms (both)", Runs = p99 });
        result.Add(new Metric("requests/s, 100 hot licenses x 5 users (answers cached)", Stats.Median(hotRps), "req/s")
            { Limit = Stats.Median(trivial), LimitName = "/health/live", Runs = hotRps });
        result.Add(new Metric("p99, hot licenses", Stats.Median(hotP99), "ms") { Runs = hotP99 });
        result.Check("every request answered 200", errors == 0, $"{errors} errors");
    }
}
