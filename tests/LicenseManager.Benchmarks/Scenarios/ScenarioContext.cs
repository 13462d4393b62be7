using System.Diagnostics;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>What the scenarios of one run share: the options, the data set, the run's database, the app and its settings.</summary>
public sealed class ScenarioContext(BenchmarkOptions options, TextWriter log, DataSet data, BenchDatabase db, string workDirectory,
    AppProcess.Settings settings, string appLog)
{
    public BenchmarkOptions Options => options;
    public TextWriter Log => log;
    public DataSet Data => data;
    public BenchDatabase Db => db;

    /// <summary>The run's temporary folder (database file on SQLite, app log, transfer file).</summary>
    public string WorkDirectory => workDirectory;

    public AppProcess.Settings Settings => settings;
    public string AppLog => appLog;

    /// <summary>The app started for the <see cref="ScenarioStage.Running"/> and <see cref="ScenarioStage.Commands"/> stages; not set during the load.</summary>
    public AppProcess App { get; set; } = null!;

    /// <summary>The API key with scope check: <c>--api-key</c>, or the one the license check made in its preparation.</summary>
    public string? ApiKey { get; set; } = options.ApiKey;

    /// <summary>Polls the license count of a package until it reaches <paramref name="expected"/> or the run times out.</summary>
    public async Task<(long Count, double Seconds)> WaitForLicensesAsync(long packageKey, long expected)
    {
        var sw = Stopwatch.StartNew();
        long count;
        while ((count = await db.CountLicensesAsync(packageKey)) < expected && sw.Elapsed < options.RunTimeout) await Task.Delay(50);
        return (count, sw.Elapsed.TotalSeconds);
    }
}
