using System.Diagnostics;
using System.Net;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>CSV export of one package, streamed; the web process's peak memory in that window.</summary>
public sealed class CsvExportScenario : IBenchmarkScenario
{
    public const string Title = "CSV export";
    public string Name => Title;
    public string? Option => "export";
    public ScenarioStage Stage => ScenarioStage.Running;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var user = await WebSession.LoginAsync(context.App.BaseAddress, context.App.AdminEmail, context.App.AdminPassword);
        var package = context.Data.Export;
        List<double> seconds = [], peaks = [], growth = [];
        var canReset = true;
        for (var r = 0; r < o.Runs; r++)
        {
            canReset &= context.App.ResetPeak();
            var baseline = context.App.CurrentBytes();
            var sw = Stopwatch.StartNew();
            var (status, bytes, lines) = await user.DownloadAsync($"/licenses/export?package={package.PackageId}");
            seconds.Add(sw.Elapsed.TotalSeconds);
            var peak = context.App.PeakBytes();
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
}
