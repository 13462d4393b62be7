using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LicenseManager.Benchmarks.Scenarios;

/// <summary>Daily expiry scan over the whole data set, through the alerts page's "Run expiry scan now".</summary>
public sealed class ExpiryScanScenario : IBenchmarkScenario
{
    public const string Title = "daily expiry scan";
    public string Name => Title;
    public string? Option => "expiry";
    public ScenarioStage Stage => ScenarioStage.Running;

    private const string ScratchName = "bench_scratch_EmailMessages";
    private const string Scratch = "\"" + ScratchName + "\"";
    private const string ScanRows = """ "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0) """;

    public async Task RunAsync(ScenarioContext context, ScenarioResult result)
    {
        var o = context.Options;
        using var admin = await WebSession.LoginAsync(context.App.BaseAddress, context.App.AdminEmail, context.App.AdminPassword);
        if (await admin.StatusAsync("/admin/alerts") == HttpStatusCode.NotFound)
        {
            result.Status = ScenarioStatus.NotAvailable;
            result.Note = "GET /admin/alerts answers 404 (the expiry alert scan is not in this build)";
            return;
        }
        // The default "expires soon" rule ships switched off: switch it on, as an administrator would.
        await context.Db.ScalarAsync("""UPDATE "AlertRules" SET "IsEnabled" = TRUE WHERE "Trigger" = 0""");
        var days = await context.Db.ScalarAsync("""SELECT MAX("DaysBefore") FROM "AlertRules" WHERE "Trigger" = 0 AND "IsEnabled" = TRUE""");
        List<double> seconds = [], again = [], raw = [];
        long queued = 0;
        for (var r = 0; r < o.Runs; r++)
        {
            // Every run is the first scan of the day: the reminders a previous run queued are removed.
            await context.Db.ScalarAsync("""DELETE FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            var token = await admin.TokenAsync("/admin/alerts");
            var sw = Stopwatch.StartNew();
            var status = await admin.PostFormAsync("/admin/alerts/expiry-scan", token);
            seconds.Add(sw.Elapsed.TotalSeconds);
            var page = await admin.GetPageAsync("/admin/alerts");
            queued = await context.Db.ScalarAsync("""SELECT COUNT(*) FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            var reported = System.Text.RegularExpressions.Regex.Match(page, @"([\d,]+) new reminders queued");
            result.Check($"run {r + 1}: scan ran and queued one reminder per license in the window",
                status == HttpStatusCode.Redirect && reported.Success && queued > 0
                && long.Parse(reported.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture) == queued,
                $"{(int)status}, {queued} queued, page says \"{(reported.Success ? reported.Value : "no scan message")}\"");

            // The limit: a raw INSERT ... SELECT of the very rows the scan queued, into an empty copy of the outbox table
            // (same columns, keys, indexes and foreign keys), committed; then the copy is dropped.
            await context.Db.ExecuteAsync($"DROP TABLE IF EXISTS {Scratch}");
            await context.Db.CopyTableStructureAsync("EmailMessages", ScratchName);
            raw.Add(await context.Db.ExecuteAsync($"""INSERT INTO {Scratch} SELECT * FROM "EmailMessages" WHERE {ScanRows}"""));
            var copied = await context.Db.ScalarAsync($"SELECT COUNT(*) FROM {Scratch}");
            await context.Db.ExecuteAsync($"DROP TABLE {Scratch}");
            result.Check($"run {r + 1}: the raw INSERT ... SELECT wrote the same rows", copied == queued, $"{copied} of {queued}");

            // The same scan again: every reminder is queued already (a day's later scans, and the steady state, where
            // only the licenses entering the window that day are new).
            token = await admin.TokenAsync("/admin/alerts");
            sw.Restart();
            await admin.PostFormAsync("/admin/alerts/expiry-scan", token);
            again.Add(sw.Elapsed.TotalSeconds);
            var after = await context.Db.ScalarAsync("""SELECT COUNT(*) FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
            result.Check($"run {r + 1}: a second scan queues nothing twice", after == queued, $"{after} after, {queued} before");
        }
        // Leave the app as it was: no queued reminders for the outbox sweep to send during the scenarios after this one.
        await context.Db.ScalarAsync("""DELETE FROM "EmailMessages" WHERE "RuleKey" IN (SELECT "Id" FROM "AlertRules" WHERE "Trigger" = 0)""");
        await context.Db.ScalarAsync("""UPDATE "AlertRules" SET "IsEnabled" = FALSE WHERE "Trigger" = 0""");
        result.Add(new Metric($"expiry scan of {o.Licenses:N0} licenses, first of the day", Stats.Median(seconds), "s")
        {
            Limit = Stats.Median(raw), LimitName = "raw INSERT ... SELECT of the same rows", RatioAsMultiple = true,
            Target = "<= 2 s, or <= 2x the raw INSERT ... SELECT", Runs = seconds,
        });
        result.Add(new Metric("raw INSERT ... SELECT of the same outbox rows (same-run limit)", Stats.Median(raw), "s") { Runs = raw });
        result.Add(new Metric("reminders queued per scan", queued, "emails"));
        result.Add(new Metric("the same scan again (nothing new to queue)", Stats.Median(again), "s") { Runs = again });
        result.Note = $"the default rule ({days} days before expiry) switched on; each run starts with no reminders queued";
    }
}
