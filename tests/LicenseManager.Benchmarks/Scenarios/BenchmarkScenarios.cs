namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>The one list of scenarios, in the order a run executes them within each <see cref="ScenarioStage"/>.</summary>
public static class BenchmarkScenarios
{
    public static readonly IReadOnlyList<IBenchmarkScenario> All =
    [
        new BulkLoadScenario(),
        new PagesScenario(),
        new LicenseCheckScenario(),
        // Before the burst, so the scan sees the data set as loaded (the burst adds licenses inside the window).
        new ExpiryScanScenario(),
        new InstallBurstScenario(),
        new RefreshScenario(),
        new CsvExportScenario(),
        new MoveLmaScenario(),
    ];

    /// <summary>The short names <c>--scenarios</c> accepts.</summary>
    public static IReadOnlyList<string> Options => All.Where(s => s.Option is not null).Select(s => s.Option!).ToList();
}
