namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>
/// One measured scenario of a benchmark run: its metrics and correctness checks go into <see cref="ScenarioResult"/>;
/// an exception fails the scenario (the run goes on with the next). A new scenario is one new type listed in
/// <see cref="BenchmarkScenarios.All"/>.
/// </summary>
public interface IBenchmarkScenario
{
    /// <summary>The name in the log, the results table and the JSON report.</summary>
    string Name { get; }

    /// <summary>The short name <c>--scenarios</c> selects it by; null for a scenario every run needs (the bulk load).</summary>
    string? Option { get; }

    ScenarioStage Stage { get; }

    /// <summary>Runs after the bulk load and before the app starts for the measured scenarios (e.g. an app command the scenario needs).</summary>
    Task PrepareAsync(ScenarioContext context) => Task.CompletedTask;

    Task RunAsync(ScenarioContext context, ScenarioResult result);
}

/// <summary>When in the run a scenario runs.</summary>
public enum ScenarioStage
{
    /// <summary>With the app stopped, after it migrated the fresh database: writes the data set.</summary>
    Load,

    /// <summary>Against the running app over HTTP, in the order of <see cref="BenchmarkScenarios.All"/>; the web process's peak memory is read after these.</summary>
    Running,

    /// <summary>The app's commands as child processes, after the web process's peak memory was read.</summary>
    Commands,
}
