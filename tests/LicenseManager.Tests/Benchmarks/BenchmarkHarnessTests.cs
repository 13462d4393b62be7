using System.Text.Json;
using LicenseManager.Benchmarks;
using LicenseManager.Benchmarks.Scenarios;
using LicenseManager.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using NpgsqlTypes;

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
            var burst = report.Scenarios.Single(s => s.Name == InstallBurstScenario.Title);
            Assert.Contains(burst.Checks, c => c.Name.EndsWith("every event became a license", StringComparison.Ordinal) && c.Passed);
            // Counted per org, in the burst, the raw write and the Hangfire baseline: not only "the total matches".
            Assert.Contains(burst.Checks, c => c.Name.EndsWith("exactly one license per event (per org, no duplicates)", StringComparison.Ordinal) && c.Passed);
            Assert.Contains(burst.Checks, c => c.Name.EndsWith("the baseline's jobs all succeeded, one license per event", StringComparison.Ordinal) && c.Passed);
            // Nothing is skipped: the harness makes its own API key and triggers the expiry scan through the alerts page.
            Assert.All(report.Scenarios, s => Assert.True(s.Status == ScenarioStatus.Ok, $"{s.Name}: {s.Status} ({s.Note})"));
            Assert.Contains(report.Scenarios.Single(s => s.Name == ExpiryScanScenario.Title).Checks, c => c.Passed);

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

    /// <summary>
    /// "Exactly one license per event" fails on any of its counts: an event lost or stored twice, two events for one org,
    /// an event not done or pointing at another org's license, an org with a second license.
    /// </summary>
    [Theory]
    [InlineData(999, 1000, 1000, 1000, 1000)]
    [InlineData(1000, 999, 1000, 1000, 1000)]
    [InlineData(1000, 1000, 999, 1000, 1000)]
    [InlineData(1000, 1000, 1000, 1001, 1000)]
    [InlineData(1000, 1000, 1000, 1000, 999)]
    public void One_license_per_event_check_fails_on_any_miscount(long events, long orgs, long linked, long licenses, long licensedOrgs)
    {
        Assert.True(new BenchDatabase.OneLicensePerEvent(1000, 1000, 1000, 1000, 1000).Holds(1000));
        Assert.False(new BenchDatabase.OneLicensePerEvent(events, orgs, linked, licenses, licensedOrgs).Holds(1000));
    }

    /// <summary>
    /// The bulk writer writes the app's tables with SQL, not through EF: every table and column it writes exists in the
    /// model under that name with that PostgreSQL type, and it writes every column the model requires (a NOT NULL column
    /// with no database default), so a renamed or added column fails here rather than in a benchmark run.
    /// </summary>
    [Fact]
    public void Bulk_writer_tables_agree_with_the_model()
    {
        var options = new DbContextOptionsBuilder<LicenseManagerDbContext>();
        LmaDatabase.Configure(options, DatabaseProvider.PostgreSql, "Host=localhost;Database=unused");
        using var db = new LicenseManagerDbContext(options.Options);
        // The design-time model: the runtime model does not keep every column fact (defaults, store types).
        var model = db.GetService<IDesignTimeModel>().Model;
        var problems = new List<string>();
        foreach (var table in BulkWriter.Tables)
        {
            var entity = model.GetEntityTypes().SingleOrDefault(e => e.GetTableName() == table.Name);
            if (entity is null)
            {
                problems.Add($"{table.Name}: no such table in the model");
                continue;
            }
            var store = StoreObjectIdentifier.Table(table.Name, entity.GetSchema());
            var columns = entity.GetProperties().ToDictionary(p => p.GetColumnName(store)!);
            foreach (var column in table.Columns)
                if (!columns.TryGetValue(column.Name, out var property)) problems.Add($"{table.Name}.{column.Name}: no such column in the model");
                else if (CopyType(property.GetColumnType()) != column.Type)
                    problems.Add($"{table.Name}.{column.Name}: written as {column.Type}, the model's column is {property.GetColumnType()}");
            var written = table.Columns.Select(c => c.Name).ToHashSet();
            problems.AddRange(columns.Values
                .Where(p => BulkWriter.IsRequired(p, store))
                .Select(p => p.GetColumnName(store)!)
                .Where(c => !written.Contains(c))
                .Select(c => $"{table.Name}.{c}: required by the model (NOT NULL, no default) but not written"));
        }
        Assert.True(problems.Count == 0, "The bulk writer and the model disagree:\n" + string.Join("\n", problems));
    }

    private static NpgsqlDbType? CopyType(string storeType) => storeType switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "boolean" => NpgsqlDbType.Boolean,
        "text" => NpgsqlDbType.Text,
        "date" => NpgsqlDbType.Date,
        "timestamp with time zone" => NpgsqlDbType.TimestampTz,
        _ when storeType.StartsWith("character varying", StringComparison.Ordinal) => NpgsqlDbType.Varchar,
        _ => null,
    };
}
