using System.Text.Json;
using LicenseManager.Benchmarks;

namespace LicenseManager.Tests.Benchmarks;

/// <summary>
/// The benchmark harness's --quick preset against SQLite, as a smoke test that the harness works. It asserts
/// correctness only (every event became a license, every scenario reported); timings on a shared machine prove nothing.
/// </summary>
public sealed class BenchmarkHarnessTests
{
    [Fact]
    public async Task Quick_preset_turns_every_event_into_a_license_and_reports_every_scenario()
    {
        var output = Path.Combine(Path.GetTempPath(), $"lma-bench-{Guid.NewGuid():N}.json");
        try
        {
            var options = BenchmarkOptions.Parse(["--provider", "sqlite", "--quick", "--out", output]);
            var log = new StringWriter();

            var report = await BenchmarkRun.RunAsync(options, log);

            Assert.True(report.AllChecksPassed, "A check failed:\n" + string.Join("\n", report.Scenarios
                .SelectMany(s => s.Checks.Where(c => !c.Passed).Select(c => $"{s.Name}: {c.Name} ({c.Detail})")
                    .Concat(s.Status == ScenarioStatus.Failed ? [$"{s.Name}: {s.Note}"] : []))) + "\n" + log);
            var burst = report.Scenarios.Single(s => s.Name == BenchmarkRun.InstallBurst);
            Assert.Contains(burst.Checks, c => c.Name.EndsWith("every event became a license", StringComparison.Ordinal) && c.Passed);
            // Nothing is skipped: the harness makes its own API key and triggers the expiry scan through the alerts page.
            Assert.All(report.Scenarios, s => Assert.True(s.Status == ScenarioStatus.Ok, $"{s.Name}: {s.Status} ({s.Note})"));
            Assert.Contains(report.Scenarios.Single(s => s.Name == BenchmarkRun.ExpiryScan).Checks, c => c.Passed);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var names = json.RootElement.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            Assert.Equal(BenchmarkRun.AllScenarios.Order(), names.Order());
            Assert.True(json.RootElement.GetProperty("webPeakMemoryMb").GetDouble() > 0);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
