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
        var work = Directory.CreateTempSubdirectory("lma-bench-").FullName;
        var appPath = o.AppPath ?? AppProcess.DefaultAppPath();
        var db = BenchDatabase.For(o, work);
        var settings = new AppProcess.Settings(appPath, db.AppProvider, db.AppConnectionString, Path.Combine(work, "data"),
            o.Port ?? AppProcess.FreePort(), "admin@bench.local", "Bench-" + Guid.NewGuid().ToString("N")[..12] + "!a1", Convert.ToHexString(Guid.NewGuid().ToByteArray()));
        var appLog = Path.Combine(work, "app.log");
        var context = new ScenarioContext(o, log, new DataSet(o.Licenses, o.ExportLicenses, o.Runs), db, work, settings, appLog);
        var scenarios = BenchmarkScenarios.All.Where(s => s.Option is null || o.Includes(s.Option)).ToList();
        IEnumerable<IBenchmarkScenario> At(ScenarioStage stage) => scenarios.Where(s => s.Stage == stage);
        try
        {
            await db.CreateAsync();
            log.WriteLine($"==> Migrating a fresh {db.AppProvider} database (app start), work folder {work}");
            await using (await AppProcess.StartAsync(settings, appLog, TimeSpan.FromMinutes(3))) { }

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
            if (context.App is not null) await context.App.DisposeAsync();
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
            log.WriteLine($"    {m.Name}: {BenchmarkReport.Format(m.Value, m.Unit)}{(m.Ratio is { } r ? $" ({r:P0} of {m.LimitName})" : "")}");
        if (result.Status != ScenarioStatus.Ok) log.WriteLine($"    {result.Status}: {result.Note}");
        return result;
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
