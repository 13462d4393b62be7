using System.Diagnostics;
using System.Net;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>Refresh Licenses of the flagship package, replaying its whole installation log.</summary>
public sealed class RefreshScenario : IBenchmarkScenario
{
    public const string Title = "refresh licenses";
    public string Name => Title;
    public string? Option => "refresh";
    public ScenarioStage Stage => ScenarioStage.Running;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var admin = await WebSession.LoginAsync(context.App.BaseAddress, context.App.AdminEmail, context.App.AdminPassword);
        var package = context.Data.Flagship;
        List<double> seconds = [];
        var replayed = 0;
        for (var r = 0; r < o.Runs; r++)
        {
            var lastId = await context.Db.ScalarAsync("""SELECT COALESCE(MAX("Id"), 0) FROM "LicenseRefreshes" """);
            var token = await admin.TokenAsync($"/packages/{package.Key}");
            await Task.Delay(1100); // the minimum interval between manual refreshes is lowered to 1 s for the run
            var status = await admin.PostFormAsync($"/packages/{package.Key}/refresh", token);
            if (status != HttpStatusCode.Redirect) throw new InvalidOperationException($"POST refresh answered {(int)status}.");
            var sw = Stopwatch.StartNew();
            (int State, DateTime? Started, DateTime? Finished, int Replayed, string? Error)? row;
            while ((row = await context.Db.RefreshAsync(package.Key, lastId)) is not { State: 2 or 3 } && sw.Elapsed < o.RunTimeout) await Task.Delay(100);
            if (row is not { State: 2, Started: { } started, Finished: { } finished })
            {
                result.Check($"run {r + 1}: refresh finished", false, row is null ? "never queued" : $"state {row.Value.State}: {row.Value.Error}");
                continue;
            }
            seconds.Add((finished - started).TotalSeconds);
            replayed = row.Value.Replayed;
            result.Check($"run {r + 1}: every install replayed", replayed >= package.LicenseCount, $"{replayed} events for {package.LicenseCount} licenses");
        }
        result.Add(new Metric($"refresh of {package.LicenseCount:N0} installs", Stats.Median(seconds), "s") { Target = "<= 60 s at a million installs", Runs = seconds });
        result.Add(new Metric("events replayed/s", replayed / Stats.Median(seconds), "events/s"));
    }
}
