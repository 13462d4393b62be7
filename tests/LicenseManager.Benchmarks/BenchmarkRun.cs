using System.Diagnostics;
using LicenseManager.Benchmarks.Scenarios;

namespace LicenseManager.Benchmarks;

/// <summary>
/// One benchmark run: a fresh database, the data set bulk-loaded after the app migrated it, then the selected scenarios
/// of <see cref="BenchmarkScenarios.All"/> against the running app over HTTP. Scenarios that need features this build
/// lacks report "not available".
/// </summary>
public sealed class BenchmarkRun(BenchmarkOptions o, TextWriter log)
{
    /// <summary>Every scenario's name, as the report lists them.</summary>
    public static IReadOnlyList<string> AllScenarios => BenchmarkScenarios.All.Select(s => s.Name).ToList();

    public static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options, TextWriter log, string command = "")
    {
        var run = new BenchmarkRun(options, log);
        var report = new BenchmarkReport
        {
            Provider = options.Provider.ToString(), Quick = options.Quick, Command = command, StartedAt = DateTime.UtcNow, Options = options,
            LoadAverageAtStart = BenchmarkReport.ReadLoadAverage(), AppEnvironment = options.AppEnvironmentText,
        };
        var total = Stopwatch.StartNew();
        await run.ExecuteAsync(report);
        report.Seconds = total.Elapsed.TotalSeconds;
        await File.WriteAllTextAsync(options.OutputPath, report.ToJson());
        return report;
    }

    private async Task ExecuteAsync(BenchmarkReport report)
    {
        var work = Directory.CreateTempSubdirectory("lma-bench-").FullName;
        var appPath = o.AppPath ?? AppProcess.DefaultAppPath();
        var db = BenchDatabase.For(o, work, o.ReuseDatabase);
        var data = new DataSet(o.Licenses, o.ExportLicenses, o.Runs);
        var appLog = Path.Combine(work, "app.log");
        AppProcess.Settings? settings = null;
        ScenarioContext? context = null;
        var scenarios = BenchmarkScenarios.All.Where(s => s.Option is null || o.Includes(s.Option)).ToList();
        IEnumerable<IBenchmarkScenario> At(ScenarioStage stage) => scenarios.Where(s => s.Stage == stage);
        try
        {
            await db.CreateAsync();
            // A reused database keeps its administrator (the app creates one only when none exists), so its password too.
            var reusing = o.ReuseDatabase is not null && await db.HasSchemaAsync();
            var password = (reusing ? await db.ReadStateAsync(AdminPasswordKey) : null) ?? "Bench-" + Guid.NewGuid().ToString("N")[..12] + "!a1";
            settings = new AppProcess.Settings(appPath, db.AppProvider, db.AppConnectionString, Path.Combine(work, "data"),
                o.Port ?? AppProcess.FreePort(), "admin@bench.local", password, Convert.ToHexString(Guid.NewGuid().ToByteArray()), o.AppEnvironment);
            context = new ScenarioContext(o, log, data, db, work, settings, appLog);
            log.WriteLine($"==> Migrating {(reusing ? "the reused" : "a fresh")} {db.AppProvider} database ({db.Location}) at app start, work folder {work}");
            await using (await AppProcess.StartAsync(settings, appLog, TimeSpan.FromMinutes(3))) { }
            if (o.ReuseDatabase is not null) await db.WriteStateAsync(AdminPasswordKey, password);

            if (o.ReuseDatabase is not null && await ReusableDataAsync(db, data) is { } reused)
            {
                report.ReusedData = reused;
                log.WriteLine($"==> Reusing the loaded data set: {reused}");
                // As after a load: the WAL checkpointed (SQLite), sequences and planner statistics fresh (PostgreSQL).
                await db.AfterBulkLoadAsync();
                foreach (var scenario in At(ScenarioStage.Load))
                    report.Scenarios.Add(new ScenarioResult(scenario.Name) { Status = ScenarioStatus.Skipped, Note = "data reused (--reuse-db): " + reused });
            }
            else
                foreach (var scenario in At(ScenarioStage.Load)) report.Scenarios.Add(await TimedAsync(scenario, context));
            foreach (var scenario in scenarios) await scenario.PrepareAsync(context);

            log.WriteLine("==> Starting the app for the measured scenarios");
            context.App = await AppProcess.StartAsync(settings, appLog, TimeSpan.FromMinutes(3));
            foreach (var scenario in At(ScenarioStage.Running)) report.Scenarios.Add(await TimedAsync(scenario, context));
            report.WebPeakMemoryMb = context.App.RunPeakBytes() / 1048576.0;
            foreach (var scenario in At(ScenarioStage.Commands)) report.Scenarios.Add(await TimedAsync(scenario, context));
        }
        finally
        {
            if (context?.App is not null) await context.App.DisposeAsync();
            await db.DisposeAsync();
            if (report.AllChecksPassed && !o.Keep) TryDelete(work);
            else log.WriteLine($"    kept {work} (app log: {appLog}){(report.AllChecksPassed ? "" : " because a check failed")}");
        }
    }

    private async Task<ScenarioResult> TimedAsync(IBenchmarkScenario scenario, ScenarioContext context)
    {
        log.WriteLine($"==> {scenario.Name}");
        var result = new ScenarioResult(scenario.Name);
        var sw = Stopwatch.StartNew();
        try
        {
            await scenario.RunAsync(context, result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Status = ScenarioStatus.Failed;
            result.Note = e.GetBaseException().Message;
            log.WriteLine($"    failed: {e}");
        }
        result.Seconds = sw.Elapsed.TotalSeconds;
        foreach (var m in result.Metrics)
            log.WriteLine($"    {m.Name}: {BenchmarkReport.Format(m.Value, m.Unit)}{(m.RatioText is { } r ? $" ({r} of {m.LimitName})" : "")}");
        if (result.Status != ScenarioStatus.Ok) log.WriteLine($"    {result.Status}: {result.Note}");
        return result;
    }

    private const string AdminPasswordKey = "admin-password";

    /// <summary>
    /// On a <c>--reuse-db</c> database: null when it holds no licenses yet (the run loads it), a description when it holds
    /// this data set (same packages, same licenses in the regular packages); an error when it holds another one.
    /// </summary>
    private static async Task<string?> ReusableDataAsync(BenchDatabase db, DataSet data)
    {
        var total = await db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        if (total == 0) return null;
        var inDataSet = await db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" WHERE "PackageKey" <= @p""", ("@p", (long)DataSet.RegularPackages));
        var packages = await db.ScalarAsync("""SELECT COUNT(*) FROM "Packages" """);
        var expectedPackages = data.AllPackages.Count();
        if (inDataSet != data.Licenses || packages != expectedPackages)
            throw new InvalidOperationException($"--reuse-db {db.Location} holds another data set ({inDataSet:N0} data-set licenses in {packages} packages; " +
                                                $"this run needs {data.Licenses:N0} in {expectedPackages}): pass the --licenses, --export and --runs it was loaded with, or a new --reuse-db.");
        return $"{db.Location}, {inDataSet:N0} data-set licenses as loaded, plus {total - inDataSet:N0} licenses from earlier runs' bursts, baselines and limits " +
               "(each run's events use fresh event ids and orgs; checks count only this run's)";
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
