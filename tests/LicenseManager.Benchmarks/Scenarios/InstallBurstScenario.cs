using System.Diagnostics;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>Install burst: signed events over HTTP until every license exists; the limit is the same rows written straight to the database.</summary>
public sealed class InstallBurstScenario : IBenchmarkScenario
{
    public const string Title = "install burst";
    public string Name => Title;
    public string? Option => "burst";
    public ScenarioStage Stage => ScenarioStage.Running;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var http = LoadDriver.Client(context.App.BaseAddress, o.Senders);
        var tag = Guid.NewGuid().ToString("N")[..6];
        List<double> limit = [], accepted = [], processed = [], p99 = [], offered = [];
        for (var r = 0; r < o.Runs; r++)
        {
            // The limit: install log row, lead and license per event, in batches of the processor's size, no HTTP, no app logic.
            var target = context.Data.LimitPackages[r];
            var sw = Stopwatch.StartNew();
            var idBase = 1_000_000_000L + r * 100_000_000L;
            for (var start = 0; start < o.Burst; start += 500)
            {
                await using var session = await context.Db.BeginAsync();
                var batch = Enumerable.Range(start, Math.Min(500, o.Burst - start))
                    .Select(i => new LicenseRow(i, idBase + i, target, DataSet.OrgId('L', r, i), context.Data.Accounts)).ToList();
                await BulkWriter.WriteLicensesAsync(session, batch, 0, $"limit-{tag}-{r}", uninstalls: false);
                await session.CommitAsync();
            }
            limit.Add(o.Burst / sw.Elapsed.TotalSeconds);

            // Unpaced: as fast as 64 senders can post.
            var burst = context.Data.BurstPackages[r];
            sw.Restart();
            var posted = await LoadDriver.PostEventsAsync(http, context.App.IngestSecret, o.Burst, o.Senders,
                i => Event($"burst-{tag}-{r}-{i}", burst, DataSet.OrgId('B', r, i), i), rate: null, o.RunTimeout);
            var acceptSeconds = sw.Elapsed.TotalSeconds;
            var done = await context.WaitForLicensesAsync(burst.Key, posted.Accepted);
            accepted.Add(posted.Accepted / acceptSeconds);
            processed.Add(done.Count / sw.Elapsed.TotalSeconds);
            result.Check($"run {r + 1}: every event accepted", posted.Accepted == o.Burst, $"{posted.Accepted} of {o.Burst}, {posted.Refused} refused");
            result.Check($"run {r + 1}: every event became a license", done.Count == o.Burst, $"{done.Count} of {o.Burst}");

            // Paced: the offered rate for a bounded time, then accept-to-license per event from the database.
            var paced = context.Data.PacedPackages[r];
            var count = (int)(o.PacedRate * o.PacedDuration.TotalSeconds);
            var sent = await LoadDriver.PostEventsAsync(http, context.App.IngestSecret, count, Math.Min(o.Senders, 32),
                i => Event($"paced-{tag}-{r}-{i}", paced, DataSet.OrgId('P', r, i), i), o.PacedRate, o.PacedDuration + TimeSpan.FromSeconds(30));
            offered.Add(sent.Accepted / sent.Seconds);
            var pacedDone = await context.WaitForLicensesAsync(paced.Key, sent.Accepted);
            result.Check($"run {r + 1}: every paced event became a license", pacedDone.Count == count && sent.Accepted == count,
                $"{pacedDone.Count} licenses, {sent.Accepted} accepted of {count}");
            p99.Add(Stats.Percentile(await context.Db.AcceptToLicenseMillisecondsAsync(paced.Key), 99));
            context.Log.WriteLine($"    run {r + 1}: limit {limit[^1]:N0}/s, accepted {accepted[^1]:N0}/s, processed {processed[^1]:N0}/s, p99 {p99[^1]:N0} ms at {offered[^1]:N0}/s");
        }
        var limitMedian = Stats.Median(limit);
        result.Add(new Metric("events/s accepted", Stats.Median(accepted), "events/s") { Limit = limitMedian, LimitName = "direct write", Runs = accepted });
        result.Add(new Metric("events/s fully processed", Stats.Median(processed), "events/s")
            { Limit = limitMedian, LimitName = "direct write", Target = ">= 3,000/s and >= 25%", Runs = processed });
        result.Add(new Metric("same-run write limit", limitMedian, "events/s") { Runs = limit });
        result.Add(new Metric($"p99 accept-to-license at {o.PacedRate:N0}/s offered", Stats.Median(p99), "ms") { Target = "<= 1,000 ms", Runs = p99 });
        result.Add(new Metric("rate achieved by the paced sender", Stats.Median(offered), "events/s") { Runs = offered });
        result.Note = $"{o.Burst:N0} events per run, {o.Senders} senders";
    }

    private static string Event(string eventId, BenchPackage package, string orgId, int i)
    {
        var h = LicenseRow.Hash(i);
        return InstallEventJson.Install(eventId, DateTime.UtcNow, package.VersionId, orgId, $"{DataSet.Words[h % 48]} Burst {i}",
            "Enterprise Edition", 1, false, "Ada", "Installer", $"installer{i}@example.com");
    }
}
