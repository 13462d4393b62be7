using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LicenseManager.Benchmarks;

/// <summary>
/// One benchmark run: a fresh database, the data set bulk-loaded after the app migrated it, then every scenario
/// against the running app over HTTP. Scenarios that need features this build lacks report "not available".
/// </summary>
public sealed class BenchmarkRun(BenchmarkOptions o, TextWriter log)
{
    public const string BulkLoad = "bulk load";
    public const string InstallBurst = "install burst";
    public const string LicenseCheck = "license check";
    public const string Pages = "list views and dashboard";
    public const string Refresh = "refresh licenses";
    public const string ExpiryScan = "daily expiry scan";
    public const string CsvExport = "CSV export";
    public const string MoveLma = "Move the LMA (export and import)";
    public static readonly IReadOnlyList<string> AllScenarios = [BulkLoad, InstallBurst, LicenseCheck, Pages, Refresh, ExpiryScan, CsvExport, MoveLma];

    private readonly DataSet _data = new(o.Licenses, o.ExportLicenses, o.Runs);
    private BenchDatabase _db = null!;
    private AppProcess _app = null!;
    private string _work = "";
    private string? _apiKey = o.ApiKey;

    public static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options, TextWriter log, string command = "")
    {
        var run = new BenchmarkRun(options, log);
        var report = new BenchmarkReport
        {
            Provider = options.Provider.ToString(), Quick = options.Quick, Command = command, StartedAt = DateTime.UtcNow, Options = options,
            LoadAverageAtStart = BenchmarkReport.ReadLoadAverage(),
        };
        var total = Stopwatch.StartNew();
        await run.ExecuteAsync(report);
        report.Seconds = total.Elapsed.TotalSeconds;
        await File.WriteAllTextAsync(options.OutputPath, report.ToJson());
        return report;
    }

    private async Task ExecuteAsync(BenchmarkReport report)
    {
        _work = Directory.CreateTempSubdirectory("lma-bench-").FullName;
        var appPath = o.AppPath ?? AppProcess.DefaultAppPath();
        _db = BenchDatabase.For(o, _work);
        var settings = new AppProcess.Settings(appPath, _db.AppProvider, _db.AppConnectionString, Path.Combine(_work, "data"),
            o.Port ?? AppProcess.FreePort(), "admin@bench.local", "Bench-" + Guid.NewGuid().ToString("N")[..12] + "!a1", Convert.ToHexString(Guid.NewGuid().ToByteArray()));
        var appLog = Path.Combine(_work, "app.log");
        try
        {
            await _db.CreateAsync();
            log.WriteLine($"==> Migrating a fresh {_db.AppProvider} database (app start), work folder {_work}");
            await using (await AppProcess.StartAsync(settings, appLog, TimeSpan.FromMinutes(3))) { }

            report.Scenarios.Add(await TimedAsync(BulkLoad, BulkLoadAsync));

            if (o.Includes("check") && string.IsNullOrEmpty(o.ApiKey))
            {
                log.WriteLine("==> Creating an API key with scope check (the app's api-keys create command)");
                _apiKey = await AppProcess.CreateApiKeyAsync(settings, "benchmark", "check", appLog);
            }

            log.WriteLine("==> Starting the app for the measured scenarios");
            _app = await AppProcess.StartAsync(settings, appLog, TimeSpan.FromMinutes(3));
            if (o.Includes("pages")) report.Scenarios.Add(await TimedAsync(Pages, PagesAsync));
            if (o.Includes("check")) report.Scenarios.Add(await TimedAsync(LicenseCheck, LicenseCheckAsync));
            // Before the burst, so the scan sees the data set as loaded (the burst adds licenses inside the window).
            if (o.Includes("expiry")) report.Scenarios.Add(await TimedAsync(ExpiryScan, ExpiryScanAsync));
            if (o.Includes("burst")) report.Scenarios.Add(await TimedAsync(InstallBurst, InstallBurstAsync));
            if (o.Includes("refresh")) report.Scenarios.Add(await TimedAsync(Refresh, RefreshAsync));
            if (o.Includes("export")) report.Scenarios.Add(await TimedAsync(CsvExport, CsvExportAsync));
            report.WebPeakMemoryMb = _app.RunPeakBytes() / 1048576.0;
            if (o.Includes("transfer")) report.Scenarios.Add(await TimedAsync(MoveLma, r => MoveLmaAsync(r, settings, appLog)));
        }
        finally
        {
            if (_app is not null) await _app.DisposeAsync();
            await _db.DisposeAsync();
            if (report.AllChecksPassed && !o.Keep) TryDelete(_work);
            else log.WriteLine($"    kept {_work} (app log: {appLog}){(report.AllChecksPassed ? "" : " because a check failed")}");
        }
    }

    private async Task<ScenarioResult> TimedAsync(string name, Func<ScenarioResult, Task> body)
    {
        log.WriteLine($"==> {name}");
        var result = new ScenarioResult(name);
        var sw = Stopwatch.StartNew();
        try
        {
            await body(result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Status = ScenarioStatus.Failed;
            result.Note = e.GetBaseException().Message;
            log.WriteLine($"    failed: {e}");
        }
        result.Seconds = sw.Elapsed.TotalSeconds;
        foreach (var m in result.Metrics)
            log.WriteLine($"    {m.Name}: {BenchmarkReport.Format(m.Value, m.Unit)}{(m.Ratio is { } r ? $" ({r:P0} of {m.LimitName})" : "")}");
        if (result.Status != ScenarioStatus.Ok) log.WriteLine($"    {result.Status}: {result.Note}");
        return result;
    }

    // 1. Bulk load: the data set in equal segments, each one transaction (SQLite) or one COPY per table (PostgreSQL).
    private async Task BulkLoadAsync(ScenarioResult result)
    {
        const int Segments = 5;
        var rates = new List<double>();
        long total = 0;
        var sw = Stopwatch.StartNew();
        for (var s = 0; s < Segments; s++)
        {
            var (from, to) = ((int)((long)o.Licenses * s / Segments), (int)((long)o.Licenses * (s + 1) / Segments));
            var segment = Stopwatch.StartNew();
            await using var session = await _db.BeginAsync();
            var rows = 0;
            if (s == 0)
            {
                rows += await BulkWriter.WritePackagesAsync(session, _data);
                rows += await BulkWriter.WriteAccountsAsync(session, _data.Accounts);
            }
            var licenses = new List<LicenseRow>(to - from);
            for (var i = from; i < to; i++) licenses.Add(new LicenseRow(i, i + 1, _data.PackageOf(i), DataSet.OrgId('X', 0, i), _data.Accounts));
            rows += await BulkWriter.WriteLicensesAsync(session, licenses, o.Licenses + 1L, "bench");
            await session.CommitAsync();
            rates.Add(rows / segment.Elapsed.TotalSeconds);
            total += rows;
        }
        var loadSeconds = sw.Elapsed.TotalSeconds;
        var post = Stopwatch.StartNew();
        await _db.AfterBulkLoadAsync();
        var licensesInDb = await _db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        result.Add(new Metric("rows/s (median of 5 segments)", Stats.Median(rates), "rows/s") { Runs = rates });
        result.Add(new Metric("rows written", total, "rows"));
        result.Add(new Metric("licenses", o.Licenses, "licenses"));
        result.Add(new Metric("load time", loadSeconds, "s"));
        result.Add(new Metric("sequences and statistics after load", post.Elapsed.TotalSeconds, "s"));
        result.Check("every license written", licensesInDb == o.Licenses, $"{licensesInDb} of {o.Licenses}");
    }

    // 2. Install burst: signed events over HTTP until every license exists; the limit is the same rows written straight to the database.
    private async Task InstallBurstAsync(ScenarioResult result)
    {
        using var http = LoadDriver.Client(_app.BaseAddress, o.Senders);
        var tag = Guid.NewGuid().ToString("N")[..6];
        List<double> limit = [], accepted = [], processed = [], p99 = [], offered = [];
        for (var r = 0; r < o.Runs; r++)
        {
            // The limit: install log row, lead and license per event, in batches of the processor's size, no HTTP, no app logic.
            var target = _data.LimitPackages[r];
            var sw = Stopwatch.StartNew();
            var idBase = 1_000_000_000L + r * 100_000_000L;
            for (var start = 0; start < o.Burst; start += 500)
            {
                await using var session = await _db.BeginAsync();
                var batch = Enumerable.Range(start, Math.Min(500, o.Burst - start))
                    .Select(i => new LicenseRow(i, idBase + i, target, DataSet.OrgId('L', r, i), _data.Accounts)).ToList();
                await BulkWriter.WriteLicensesAsync(session, batch, 0, $"limit-{tag}-{r}", uninstalls: false);
                await session.CommitAsync();
            }
            limit.Add(o.Burst / sw.Elapsed.TotalSeconds);

            // Unpaced: as fast as 64 senders can post.
            var burst = _data.BurstPackages[r];
            sw.Restart();
            var posted = await LoadDriver.PostEventsAsync(http, _app.IngestSecret, o.Burst, o.Senders,
                i => Event($"burst-{tag}-{r}-{i}", burst, DataSet.OrgId('B', r, i), i), rate: null, o.RunTimeout);
            var acceptSeconds = sw.Elapsed.TotalSeconds;
            var done = await WaitForLicensesAsync(burst.Key, posted.Accepted);
            accepted.Add(posted.Accepted / acceptSeconds);
            processed.Add(done.Count / sw.Elapsed.TotalSeconds);
            result.Check($"run {r + 1}: every event accepted", posted.Accepted == o.Burst, $"{posted.Accepted} of {o.Burst}, {posted.Refused} refused");
            result.Check($"run {r + 1}: every event became a license", done.Count == o.Burst, $"{done.Count} of {o.Burst}");

            // Paced: the offered rate for a bounded time, then accept-to-license per event from the database.
            var paced = _data.PacedPackages[r];
            var count = (int)(o.PacedRate * o.PacedDuration.TotalSeconds);
            var sent = await LoadDriver.PostEventsAsync(http, _app.IngestSecret, count, Math.Min(o.Senders, 32),
                i => Event($"paced-{tag}-{r}-{i}", paced, DataSet.OrgId('P', r, i), i), o.PacedRate, o.PacedDuration + TimeSpan.FromSeconds(30));
            offered.Add(sent.Accepted / sent.Seconds);
            var pacedDone = await WaitForLicensesAsync(paced.Key, sent.Accepted);
            result.Check($"run {r + 1}: every paced event became a license", pacedDone.Count == count && sent.Accepted == count,
                $"{pacedDone.Count} licenses, {sent.Accepted} accepted of {count}");
            p99.Add(Stats.Percentile(await _db.AcceptToLicenseMillisecondsAsync(paced.Key), 99));
            log.WriteLine($"    run {r + 1}: limit {limit[^1]:N0}/s, accepted {accepted[^1]:N0}/s, processed {processed[^1]:N0}/s, p99 {p99[^1]:N0} ms at {offered[^1]:N0}/s");
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

    /// <summary>Polls the license count of a package until it reaches <paramref name="expected"/> or the run times out.</summary>
    private async Task<(long Count, double Seconds)> WaitForLicensesAsync(long packageKey, long expected)
    {
        var sw = Stopwatch.StartNew();
        long count;
        while ((count = await _db.CountLicensesAsync(packageKey)) < expected && sw.Elapsed < o.RunTimeout) await Task.Delay(50);
        return (count, sw.Elapsed.TotalSeconds);
    }

    // 3. License check: pluggable; this build may not have the endpoint (feature/licensing-api).
    private async Task LicenseCheckAsync(ScenarioResult result)
    {
        using var http = LoadDriver.Client(_app.BaseAddress, o.Senders);
        // Probed as a signed-in user: anonymous requests to unknown routes are sent to the login page, not answered 404.
        var probeLicense = new LicenseRow(0, 1, _data.PackageOf(0), DataSet.OrgId('X', 0, 0), _data.Accounts);
        using (var user = await WebSession.LoginAsync(_app.BaseAddress, _app.AdminEmail, _app.AdminPassword))
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
                $"/api/v1/licenses/check?packageId={_data.PackageOf(license).PackageId}&orgId={DataSet.OrgId('X', 0, license)}&userId=005{user:D12}");
            request.Headers.Authorization = new("Bearer", _apiKey);
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
            { Limit = Stats.Median(trivial), LimitName = "/health/live", Target = ">= 10,000/s and >= 50%", Runs = rps });
        result.Add(new Metric("p50", Stats.Median(p50), "ms") { Runs = p50 });
        result.Add(new Metric("p99", Stats.Median(p99), "ms") { Target = "<= 10 ms", Runs = p99 });
        result.Add(new Metric("requests/s, 100 hot licenses x 5 users (answers cached)", Stats.Median(hotRps), "req/s")
            { Limit = Stats.Median(trivial), LimitName = "/health/live", Runs = hotRps });
        result.Add(new Metric("p99, hot licenses", Stats.Median(hotP99), "ms") { Runs = hotP99 });
        result.Check("every request answered 200", errors == 0, $"{errors} errors");
    }

    // 4. List views and dashboard as a signed-in user.
    private async Task PagesAsync(ScenarioResult result)
    {
        using var user = await WebSession.LoginAsync(_app.BaseAddress, _app.AdminEmail, _app.AdminPassword);
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

    // 5a. Refresh Licenses of the flagship package, replaying its whole installation log.
    private async Task RefreshAsync(ScenarioResult result)
    {
        using var admin = await WebSession.LoginAsync(_app.BaseAddress, _app.AdminEmail, _app.AdminPassword);
        var package = _data.Flagship;
        List<double> seconds = [];
        var replayed = 0;
        for (var r = 0; r < o.Runs; r++)
        {
            var lastId = await _db.ScalarAsync("""SELECT COALESCE(MAX("Id"), 0) FROM "LicenseRefreshes" """);
            var token = await admin.TokenAsync($"/packages/{package.Key}");
            await Task.Delay(1100); // the minimum interval between manual refreshes is lowered to 1 s for the run
            var status = await admin.PostFormAsync($"/packages/{package.Key}/refresh", token);
            if (status != HttpStatusCode.Redirect) throw new InvalidOperationException($"POST refresh answered {(int)status}.");
            var sw = Stopwatch.StartNew();
            (int State, DateTime? Started, DateTime? Finished, int Replayed, string? Error)? row;
            while ((row = await _db.RefreshAsync(package.Key, lastId)) is not { State: 2 or 3 } && sw.Elapsed < o.RunTimeout) await Task.Delay(100);
            if (row is not { State: 2, Started: { } started, Finished: { } finished })
            {
                result.Check($"run {r + 1}: refresh finished", false, row is null ? "never queued" : $"state {row.Value.State}: {row.Value.Error}");
                continue;
            }
            seconds.Add((finished - started).TotalSeconds);
            replayed = row.Value.Replayed;
            result.Check($"run {r + 1}: every install replayed", replayed >= package.LicenseCount, $"{replayed} events for {package.LicenseCount} licenses");
        }
        result.Add(new Metric($"refresh of {package.LicenseCount:N0} installs", Stats.Median(seconds), "s") { Target = "<= 60 s at 1,000,000", Runs = seconds });
        result.Add(new Metric("events replayed/s", replayed / Stats.Median(seconds), "events/s"));
    }

    // 5b. Daily expiry scan over the whole data set, through the alerts page's "Run expiry scan now".
    private async Task ExpiryScanAsync(ScenarioResult result)
    {
        using var admin = await WebSession.LoginAsync(_app.BaseAddress, _app.AdminEmail, _app.AdminPassword);
        if (await admin.StatusAsync("/admin/alerts") == HttpStatusCode.NotFound)
        {
            result.Status = ScenarioStatus.NotAvailable;
            result.Note = "GET /admin/alerts answers 404 (the expiry alert scan is not in this build)";
            return;
        }
        // The default "expires soon" rule ships switched off: switch it on, as an administrator would.
        await _db.ScalarAsync("""UPDATE "AlertRules" SET "IsEnabled" = TRUE WHERE "Trigger" = 0""");
        var days = await _db.ScalarAsync("""SELECT MAX("DaysBefore") FROM "AlertRules" WHERE "Trigger" = 0 AND "IsEnabled" = TRUE""");
        List<double> seconds = [], again = [];
        long queued = 0;
        for (var r = 0; r < o.Runs; r++)
        {
            // Every run is the first scan of the day: the reminders a previous run queued are removed.
            await _db.ScalarAsync("""DELETE FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            var token = await admin.TokenAsync("/admin/alerts");
            var sw = Stopwatch.StartNew();
            var status = await admin.PostFormAsync("/admin/alerts/expiry-scan", token);
            seconds.Add(sw.Elapsed.TotalSeconds);
            var page = await admin.GetPageAsync("/admin/alerts");
            queued = await _db.ScalarAsync("""SELECT COUNT(*) FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            var reported = System.Text.RegularExpressions.Regex.Match(page, @"([\d,]+) new reminders queued");
            result.Check($"run {r + 1}: scan ran and queued one reminder per license in the window",
                status == HttpStatusCode.Redirect && reported.Success && queued > 0
                && long.Parse(reported.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture) == queued,
                $"{(int)status}, {queued} queued, page says \"{(reported.Success ? reported.Value : "no scan message")}\"");

            // The same scan again: every reminder is queued already (a day's later scans, and the steady state, where
            // only the licenses entering the window that day are new).
            token = await admin.TokenAsync("/admin/alerts");
            sw.Restart();
            await admin.PostFormAsync("/admin/alerts/expiry-scan", token);
            again.Add(sw.Elapsed.TotalSeconds);
            var after = await _db.ScalarAsync("""SELECT COUNT(*) FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            result.Check($"run {r + 1}: a second scan queues nothing twice", after == queued, $"{after} after, {queued} before");
        }
        // Leave the app as it was: no queued reminders for the outbox sweep to send during the scenarios after this one.
        await _db.ScalarAsync("""DELETE FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
        await _db.ScalarAsync("""UPDATE "AlertRules" SET "IsEnabled" = FALSE WHERE "Trigger" = 0""");
        result.Add(new Metric($"expiry scan of {o.Licenses:N0} licenses", Stats.Median(seconds), "s") { Target = "<= 2 s at 1,000,000", Runs = seconds });
        result.Add(new Metric("reminders queued per scan", queued, "emails"));
        result.Add(new Metric("the same scan again (nothing new to queue)", Stats.Median(again), "s") { Runs = again });
        result.Note = $"the default rule ({days} days before expiry) switched on; each run starts with no reminders queued";
    }

    // 5c. CSV export of one package, streamed; the web process's peak memory in that window.
    private async Task CsvExportAsync(ScenarioResult result)
    {
        using var user = await WebSession.LoginAsync(_app.BaseAddress, _app.AdminEmail, _app.AdminPassword);
        var package = _data.Export;
        List<double> seconds = [], peaks = [], growth = [];
        var canReset = true;
        for (var r = 0; r < o.Runs; r++)
        {
            canReset &= _app.ResetPeak();
            var baseline = _app.CurrentBytes();
            var sw = Stopwatch.StartNew();
            var (status, bytes, lines) = await user.DownloadAsync($"/licenses/export?package={package.PackageId}");
            seconds.Add(sw.Elapsed.TotalSeconds);
            var peak = _app.PeakBytes();
            peaks.Add(peak / 1048576.0);
            growth.Add((peak - baseline) / 1048576.0);
            result.Check($"run {r + 1}: every license exported", status == HttpStatusCode.OK && lines - 1 == package.LicenseCount,
                $"{(int)status}, {lines - 1} rows of {package.LicenseCount}, {bytes:N0} bytes");
        }
        result.Add(new Metric($"export of {package.LicenseCount:N0} licenses", Stats.Median(seconds), "s") { Target = "<= 3 s at 100,000", Runs = seconds });
        result.Add(new Metric("rows/s", package.LicenseCount / Stats.Median(seconds), "rows/s"));
        result.Add(new Metric("web peak memory during export", Stats.Median(peaks), "MB") { Runs = peaks });
        result.Add(new Metric("peak above resident before export", Stats.Median(growth), "MB") { Target = "flat (streams)", Runs = growth });
        if (!canReset) result.Note = "could not reset VmHWM (clear_refs): the peak is the process's peak so far";
    }

    // 6. Move the LMA: the whole data set exported with the app's command line, then imported into a fresh database
    // (with the same command line), each a child process whose peak memory is sampled. Once: each import needs a fresh database.
    private async Task MoveLmaAsync(ScenarioResult result, AppProcess.Settings settings, string appLog)
    {
        var file = Path.Combine(_work, "lma-transfer.jsonl");
        var passphrase = new Dictionary<string, string> { ["LMA_TRANSFER_PASSPHRASE"] = "benchmark passphrase " + Guid.NewGuid().ToString("N") };
        var export = await AppProcess.RunCommandAsync(settings, ["export", "--file", file], passphrase, appLog, o.RunTimeout);
        result.Check("export exits 0", export.ExitCode == 0, export.StdErr.Trim());
        if (export.ExitCode != 0) return;
        var lines = 0L;
        using (var reader = File.OpenText(file)) while (await reader.ReadLineAsync() is not null) lines++;
        var records = lines - 2; // header and trailer
        var exportedLicenses = await _db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        result.Add(new Metric("export time", export.Seconds, "s"));
        result.Add(new Metric("export rows/s", records / export.Seconds, "rows/s"));
        result.Add(new Metric("export peak memory (process)", export.PeakBytes / 1048576.0, "MB") { Target = "flat (streams)" });
        result.Add(new Metric("file size", new FileInfo(file).Length / 1048576.0, "MB"));
        result.Add(new Metric("records", records, "rows"));

        await using var target = BenchDatabase.For(o, Directory.CreateDirectory(Path.Combine(_work, "import-target")).FullName);
        await target.CreateAsync();
        var targetSettings = settings with { ConnectionString = target.AppConnectionString, DataDirectory = Path.Combine(_work, "import-target", "data") };
        var import = await AppProcess.RunCommandAsync(targetSettings, ["import", "--file", file], passphrase, appLog, o.RunTimeout);
        result.Check("import exits 0", import.ExitCode == 0, import.StdErr.Trim());
        if (import.ExitCode != 0) return;
        var importedLicenses = await target.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        result.Check("every license imported", importedLicenses == exportedLicenses, $"{importedLicenses:N0} of {exportedLicenses:N0}");
        result.Add(new Metric("import time (fresh database: migrations, check pass, write pass)", import.Seconds, "s"));
        result.Add(new Metric("import rows/s", records / import.Seconds, "rows/s"));
        result.Add(new Metric("import peak memory (process)", import.PeakBytes / 1048576.0, "MB") { Target = "flat (streams)" });
        result.Note = "one run: an import needs a fresh database; times include each process's start-up";
        File.Delete(file);
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
