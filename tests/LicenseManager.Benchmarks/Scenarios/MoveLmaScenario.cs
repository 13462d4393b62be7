namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>Move the LMA: the whole data set exported with the app's command line, then imported into a fresh database (with the same command line), each a child process whose peak memory is sampled. Once: each import needs a fresh database.</summary>
public sealed class MoveLmaScenario : IBenchmarkScenario
{
    public const string Title = "Move the LMA (export and import)";
    public string Name => Title;
    public string? Option => "transfer";
    public ScenarioStage Stage => ScenarioStage.Commands;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        var file = Path.Combine(context.WorkDirectory, "lma-transfer.jsonl");
        var passphrase = new Dictionary<string, string> { ["LMA_TRANSFER_PASSPHRASE"] = "benchmark passphrase " + Guid.NewGuid().ToString("N") };
        var export = await AppProcess.RunCommandAsync(context.Settings, ["export", "--file", file], passphrase, context.AppLog, o.RunTimeout);
        result.Check("export exits 0", export.ExitCode == 0, export.StdErr.Trim());
        if (export.ExitCode != 0) return;
        var lines = 0L;
        using (var reader = File.OpenText(file)) while (await reader.ReadLineAsync() is not null) lines++;
        var records = lines - 2; // header and trailer
        var exportedLicenses = await context.Db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        result.Add(new Metric("export time", export.Seconds, "s"));
        result.Add(new Metric("export rows/s", records / export.Seconds, "rows/s"));
        result.Add(new Metric("export peak memory (process)", export.PeakBytes / 1048576.0, "MB") { Target = "flat (streams)" });
        result.Add(new Metric("file size", new FileInfo(file).Length / 1048576.0, "MB"));
        result.Add(new Metric("records", records, "rows"));

        await using var target = BenchDatabase.For(o, Directory.CreateDirectory(Path.Combine(context.WorkDirectory, "import-target")).FullName);
        await target.CreateAsync();
        var targetSettings = context.Settings with { ConnectionString = target.AppConnectionString, DataDirectory = Path.Combine(context.WorkDirectory, "import-target", "data") };
        var import = await AppProcess.RunCommandAsync(targetSettings, ["import", "--file", file], passphrase, context.AppLog, o.RunTimeout);
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
}
