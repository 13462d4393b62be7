using System.Diagnostics;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>Bulk load: the data set in equal segments, each one transaction (SQLite) or one COPY per table (PostgreSQL).</summary>
public sealed class BulkLoadScenario : IBenchmarkScenario
{
    public const string Title = "bulk load";
    public string Name => Title;
    public string? Option => null;
    public ScenarioStage Stage => ScenarioStage.Load;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        const int Segments = 5;
        var rates = new List<double>();
        long total = 0;
        var sw = Stopwatch.StartNew();
        for (var s = 0; s < Segments; s++)
        {
            var (from, to) = ((int)((long)o.Licenses * s / Segments), (int)((long)o.Licenses * (s + 1) / Segments));
            var segment = Stopwatch.StartNew();
            await using var session = await context.Db.BeginAsync();
            var rows = 0;
            if (s == 0)
            {
                rows += await BulkWriter.WritePackagesAsync(session, context.Data);
                rows += await BulkWriter.WriteAccountsAsync(session, context.Data.Accounts);
            }
            var licenses = new List<LicenseRow>(to - from);
            for (var i = from; i < to; i++) licenses.Add(new LicenseRow(i, i + 1, context.Data.PackageOf(i), DataSet.OrgId('X', 0, i), context.Data.Accounts));
            rows += await BulkWriter.WriteLicensesAsync(session, licenses, o.Licenses + 1L, "bench");
            await session.CommitAsync();
            rates.Add(rows / segment.Elapsed.TotalSeconds);
            total += rows;
        }
        var loadSeconds = sw.Elapsed.TotalSeconds;
        var post = Stopwatch.StartNew();
        await context.Db.AfterBulkLoadAsync();
        var licensesInDb = await context.Db.ScalarAsync("""SELECT COUNT(*) FROM "Licenses" """);
        result.Add(new Metric("rows/s (median of 5 segments)", Stats.Median(rates), "rows/s") { Runs = rates });
        result.Add(new Metric("rows written", total, "rows"));
        result.Add(new Metric("licenses", o.Licenses, "licenses"));
        result.Add(new Metric("load time", loadSeconds, "s"));
        result.Add(new Metric("sequences and statistics after load", post.Elapsed.TotalSeconds, "s"));
        result.Check("every license written", licensesInDb == o.Licenses, $"{licensesInDb} of {o.Licenses}");
    }
}
