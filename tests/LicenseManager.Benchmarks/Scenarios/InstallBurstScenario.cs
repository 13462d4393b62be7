using System.Diagnostics;
using System.Globalization;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>
/// Install burst, per run: the trivial endpoint under the same driver (the accept limit), signed events over HTTP until
/// every license exists, the same rows written straight to the database (the processing limit), the naive design of one
/// Hangfire job per event (the baseline), and a paced run for accept-to-license latency. Every run checks that every
/// event became exactly one license.
/// </summary>
public sealed class InstallBurstScenario : IBenchmarkScenario
{
    public const string Title = "install burst";
    public string Name => Title;
    public string? Option => "burst";
    public ScenarioStage Stage => ScenarioStage.Running;

    private const int LimitBatch = 500; // the processor's batch size

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        var db = context.Db;
        using var http = LoadDriver.Client(context.App.BaseAddress, o.Senders);
        var tag = Guid.NewGuid().ToString("N")[..6];
        List<double> trivial = [], acceptedDb = [], acceptedWall = [], processedDb = [], processedWall = [], limit = [], naive = [], naiveEnqueue = [],
            burstPeaks = [], p99 = [], offered = [];
        long healthErrors = 0;
        var history = 0;
        NaiveBaseline.Result? lastNaive = null;
        var peakWindowReset = true;
        await NaiveBaseline.DropStorageAsync(db);
        for (var r = 0; r < o.Runs; r++)
        {
            // The accept limit: the framework's trivial endpoint, same driver, same connection count, just before the burst.
            var health = await LoadDriver.RunAsync(http, o.Senders, o.LoadDuration, _ => new HttpRequestMessage(HttpMethod.Get, "/health/live"));
            trivial.Add(health.PerSecond);
            healthErrors += health.Errors;

            // Unpaced: as fast as the senders can post; the web process's memory sampled throughout.
            var burst = context.Data.BurstPackages[r];
            var burstPrefix = $"burst-{tag}-{r}-";
            var seq = await db.NextOrgSeqAsync(burst.Key);
            var before = await db.CountLicensesAsync(burst.Key);
            (int Accepted, int Refused, double Seconds) posted;
            (long Count, double Seconds) done;
            double acceptSeconds, processSeconds;
            await using (var memory = context.App.SamplePeak())
            {
                var sw = Stopwatch.StartNew();
                posted = await LoadDriver.PostEventsAsync(http, context.App.IngestSecret, o.Burst, o.Senders,
                    i => Event(burstPrefix + i, burst, DataSet.OrgId('B', r, seq + i), i), rate: null, o.RunTimeout);
                acceptSeconds = sw.Elapsed.TotalSeconds;
                done = await context.WaitForLicensesAsync(burst.Key, before + posted.Accepted);
                processSeconds = sw.Elapsed.TotalSeconds;
                await memory.DisposeAsync();
                burstPeaks.Add(memory.PeakBytes / 1048576.0);
                peakWindowReset &= memory.WindowReset;
            }
            acceptedWall.Add(posted.Accepted / acceptSeconds);
            processedWall.Add((done.Count - before) / processSeconds);
            // The database's own clock: first to last receipt (accepted), first receipt to the last license (processed).
            var times = await db.ReceiptTimesAsync(burst.Key, burstPrefix);
            acceptedDb.Add(times is { FirstReceived: { } f, LastReceived: { } l } && l > f ? times.Events / (l - f).TotalSeconds : double.NaN);
            processedDb.Add(times is { FirstReceived: { } f2, LastLicense: { } ll } && ll > f2 ? times.Events / (ll - f2).TotalSeconds : double.NaN);
            result.Check($"run {r + 1}: every event accepted", posted.Accepted == o.Burst, $"{posted.Accepted} of {o.Burst}, {posted.Refused} refused");
            result.Check($"run {r + 1}: every event became a license", done.Count - before == o.Burst, $"{done.Count - before} of {o.Burst}");
            var burstOnce = await db.OneLicensePerEventAsync(burst.Key, burstPrefix);
            result.Check($"run {r + 1}: exactly one license per event (per org, no duplicates)", burstOnce.Holds(o.Burst), burstOnce.ToString());

            // The processing limit: the same rows per event as the app wrote (log row, lead, license, its field history),
            // in batches of the processor's size, straight to the database: no HTTP, no app logic.
            history = (int)Math.Round((double)await db.HistoryRowsAsync(burst.Key, burstPrefix) / Math.Max(1, done.Count - before));
            var target = context.Data.LimitPackages[r];
            var limitPrefix = $"limit-{tag}-{r}";
            var idBase = await db.NextFreeIdAsync();
            var limitSeq = await db.NextOrgSeqAsync(target.Key);
            var write = Stopwatch.StartNew();
            for (var start = 0; start < o.Burst; start += LimitBatch)
            {
                await using var session = await db.BeginAsync();
                var batch = Enumerable.Range(start, Math.Min(LimitBatch, o.Burst - start))
                    .Select(i => new LicenseRow(i, idBase + i, target, DataSet.OrgId('L', r, limitSeq + i), context.Data.Accounts)).ToList();
                await BulkWriter.WriteLicensesAsync(session, batch, 0, limitPrefix, uninstalls: false, history, idBase);
                await session.CommitAsync();
            }
            limit.Add(o.Burst / write.Elapsed.TotalSeconds);
            await db.AdvanceSequencesAsync();
            var limitOnce = await db.OneLicensePerEventAsync(target.Key, limitPrefix + "-");
            result.Check($"run {r + 1}: the raw write wrote one license per event", limitOnce.Holds(o.Burst), limitOnce.ToString());

            // The naive baseline: one Hangfire job per event, each writing that event's rows in its own transaction.
            var baseline = context.Data.BaselinePackages[r];
            var naivePrefix = $"naive-{tag}-{r}";
            var naiveSeq = await db.NextOrgSeqAsync(baseline.Key);
            var naiveIds = await db.NextFreeIdAsync();
            var naiveResult = await NaiveBaseline.RunAsync(o,
                new NaiveBaseline.Target(db, baseline, naiveIds, r, naiveSeq, context.Data.Accounts, naivePrefix, history, naiveIds),
                o.BaselineEvents, o.Senders, i => Event($"{naivePrefix}-{i}", baseline, DataSet.OrgId('N', r, naiveSeq + i), i));
            await db.AdvanceSequencesAsync();
            naive.Add(naiveResult.EventsPerSecond);
            naiveEnqueue.Add(naiveResult.EnqueuePerSecond);
            lastNaive = naiveResult;
            var naiveOnce = await db.OneLicensePerEventAsync(baseline.Key, naivePrefix + "-");
            result.Check($"run {r + 1}: the baseline's jobs all succeeded, one license per event", naiveResult.Failed == 0 && naiveOnce.Holds(o.BaselineEvents),
                $"{naiveResult.Succeeded} succeeded, {naiveResult.Failed} failed, {naiveResult.Retrying} waiting to retry; {naiveOnce}");

            // Paced: the offered rate for a bounded time, then accept-to-license per event from the database.
            var paced = context.Data.PacedPackages[r];
            var pacedPrefix = $"paced-{tag}-{r}-";
            var pacedSeq = await db.NextOrgSeqAsync(paced.Key);
            var pacedBefore = await db.CountLicensesAsync(paced.Key);
            var count = (int)(o.PacedRate * o.PacedDuration.TotalSeconds);
            var sent = await LoadDriver.PostEventsAsync(http, context.App.IngestSecret, count, Math.Min(o.Senders, 32),
                i => Event(pacedPrefix + i, paced, DataSet.OrgId('P', r, pacedSeq + i), i), o.PacedRate, o.PacedDuration + TimeSpan.FromSeconds(30));
            offered.Add(sent.Accepted / sent.Seconds);
            var pacedDone = await context.WaitForLicensesAsync(paced.Key, pacedBefore + sent.Accepted);
            var pacedOnce = await db.OneLicensePerEventAsync(paced.Key, pacedPrefix);
            result.Check($"run {r + 1}: every paced event became exactly one license", sent.Accepted == count && pacedOnce.Holds(count),
                $"{pacedDone.Count - pacedBefore} new licenses, {sent.Accepted} accepted of {count}; {pacedOnce}");
            p99.Add(Stats.Percentile(await db.AcceptToLicenseMillisecondsAsync(paced.Key, pacedPrefix), 99));
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    run {r + 1}: /health/live {trivial[^1]:N0}/s, accepted {acceptedDb[^1]:N0}/s, processed {processedDb[^1]:N0}/s, raw write {limit[^1]:N0}/s, " +
                $"Hangfire baseline {naive[^1]:N0}/s, burst peak {burstPeaks[^1]:N0} MB, p99 {p99[^1]:N0} ms at {offered[^1]:N0}/s"));
        }
        await NaiveBaseline.DropStorageAsync(db);
        result.Check("every /health/live request answered 200", healthErrors == 0, $"{healthErrors} errors");

        var healthRate = Stats.Median(trivial);
        var raw = Stats.Median(limit);
        var baselineRate = Stats.Median(naive);
        var healthName = $"/health/live, same driver, {o.Senders} connections";
        result.Add(new Metric("events/s accepted (database receipt times, first to last ReceivedAt)", Stats.Median(acceptedDb), "events/s")
            { Limit = healthRate, LimitName = healthName, LimitUnit = "req/s", Target = ">= 10,000/s and >= 15 % of /health/live", Runs = acceptedDb });
        result.Add(new Metric("events/s accepted (driver wall clock, first post to last 202)", Stats.Median(acceptedWall), "events/s")
            { Limit = healthRate, LimitName = healthName, LimitUnit = "req/s", Runs = acceptedWall });
        result.Add(new Metric("/health/live in the same run", healthRate, "req/s") { Runs = trivial });
        result.Add(new Metric("events/s fully processed (database: first receipt to last license)", Stats.Median(processedDb), "events/s")
            { Limit = raw, LimitName = "same-run raw write", Target = ">= 5,000/s and >= 50 % of the same-run raw write", Runs = processedDb });
        result.Add(new Metric("events/s fully processed (driver wall clock, first post to last license)", Stats.Median(processedWall), "events/s")
            { Limit = raw, LimitName = "same-run raw write", Runs = processedWall });
        result.Add(new Metric($"same-run raw write of the same rows (log row, lead, license, {history} history)", raw, "events/s") { Runs = limit });
        result.Add(new Metric($"baseline: one Hangfire job per event ({o.BaselineEvents:N0} events, {lastNaive?.Workers} workers)", baselineRate, "events/s")
            { Target = "report its events/s", Runs = naive });
        result.Add(new Metric("baseline: jobs enqueued/s", Stats.Median(naiveEnqueue), "jobs/s") { Runs = naiveEnqueue });
        result.Add(new Metric("events/s fully processed, as a multiple of the baseline", Stats.Median(processedDb), "events/s")
            { Limit = baselineRate, LimitName = "one Hangfire job per event", RatioAsMultiple = true, Target = "report our ratio to it", Runs = processedDb });
        result.Add(new Metric("web process peak RSS during the burst", Stats.Median(burstPeaks), "MB") { Target = "<= 400 MB", Runs = burstPeaks });
        result.Add(new Metric($"p99 accept-to-license at {o.PacedRate:N0}/s offered", Stats.Median(p99), "ms") { Target = "p99 <= 500 ms", Runs = p99 });
        result.Add(new Metric("rate achieved by the paced sender", Stats.Median(offered), "events/s") { Runs = offered });
        result.Note = $"{o.Burst:N0} events per run, {o.Senders} senders; baseline storage: {NaiveBaseline.StorageName(o.Provider)}"
                      + (peakWindowReset ? "" : "; VmHWM could not be reset (clear_refs): the burst peak is the largest 50 ms RSS sample");
    }

    internal static string Event(string eventId, BenchPackage package, string orgId, int i)
    {
        var h = LicenseRow.Hash(i);
        return InstallEventJson.Install(eventId, DateTime.UtcNow, package.VersionId, orgId, $"{DataSet.Words[h % 48]} Burst {i}",
            "Enterprise Edition", 1, false, "Ada", "Installer", $"installer{i}@example.com");
    }
}
