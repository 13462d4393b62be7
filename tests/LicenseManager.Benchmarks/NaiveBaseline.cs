using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace LicenseManager.Benchmarks;

/// <summary>
/// The design a naive implementation of the install API uses, measured in the same run as the app: every request
/// enqueues one Hangfire job carrying its event, and a Hangfire server (default worker count) runs each job, which
/// writes that event's rows (installation-log row, lead, license, field history: the rows of the raw write limit,
/// through <see cref="BulkWriter"/>) in its own transaction. The storage is the one the app uses for the provider:
/// Hangfire.PostgreSql in a schema of its own in the bench database, or, on SQLite, Hangfire.InMemory (the app runs
/// Hangfire in memory there), the rows still written to the SQLite database. The server lives in this process and
/// is built on its own storage object: nothing is set on Hangfire's process-wide configuration.
/// </summary>
public static class NaiveBaseline
{
    public const string PostgresSchema = "bench_hangfire_baseline";

    public sealed record Result(double EventsPerSecond, double EnqueuePerSecond, long Succeeded, long Failed, long Retrying, int Workers, string Storage);

    public static string StorageName(Provider provider) => provider == Provider.PostgreSql
        ? $"Hangfire.PostgreSql, schema {PostgresSchema} of the bench database"
        : "Hangfire.InMemory (as the app uses on SQLite), rows written to the SQLite database";

    /// <summary>What a job needs besides its arguments; found by key, since Hangfire builds jobs from serialized arguments.</summary>
    internal sealed record Target(BenchDatabase Db, BenchPackage Package, long IdBase, int Run, int OrgSeq, int Accounts, string EventPrefix,
        int HistoryPerEvent, long HistoryIdBase);

    private static readonly ConcurrentDictionary<string, Target> Targets = new();

    /// <summary>
    /// Enqueues <paramref name="count"/> jobs from <paramref name="senders"/> concurrent callers (as request handlers would),
    /// with the server already running, and waits until every event's license is in the database.
    /// </summary>
    internal static async Task<Result> RunAsync(BenchmarkOptions o, Target target, int count, int senders, Func<int, string> body)
    {
        var key = Guid.NewGuid().ToString("N");
        Targets[key] = target;
        JobStorage storage = o.Provider == Provider.PostgreSql
            ? new PostgreSqlStorage(new NpgsqlConnectionFactory(target.Db.AppConnectionString, PostgresOptions), PostgresOptions)
            : new InMemoryStorage(new InMemoryStorageOptions());
        // Its own job activator: Hangfire's default is process-wide, and an app hosted in the same process (the test host
        // runs the app's tests beside this one) installs its DI activator there; once that app is disposed, every job
        // here failed to start its scope and waited to retry. The jobs are static methods and need no DI.
        var server = new BackgroundJobServer(new BackgroundJobServerOptions { ServerName = "bench-baseline-" + key[..6], Activator = new JobActivator() }, storage);
        var workers = new BackgroundJobServerOptions().WorkerCount;
        try
        {
            var client = new BackgroundJobClient(storage);
            var before = await target.Db.CountLicensesAsync(target.Package.Key);
            var sw = Stopwatch.StartNew();
            var next = -1;
            // Hangfire's client is synchronous: each caller gets a thread of its own, so blocked callers never starve the
            // thread pool the jobs' async writes continue on (that stalled every transaction on 2 cores).
            await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Factory.StartNew(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var payload = body(i);
                    client.Enqueue(() => WriteEventAsync(key, i, payload));
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
            var enqueueSeconds = sw.Elapsed.TotalSeconds;
            long done;
            while ((done = await target.Db.CountLicensesAsync(target.Package.Key) - before) < count && sw.Elapsed < o.RunTimeout
                   && storage.GetMonitoringApi().FailedCount() == 0)
                await Task.Delay(50);
            var seconds = sw.Elapsed.TotalSeconds;
            var monitoring = storage.GetMonitoringApi();
            return new Result(done / seconds, count / enqueueSeconds, monitoring.SucceededListCount(), monitoring.FailedCount(), monitoring.ScheduledCount(), workers,
                StorageName(o.Provider));
        }
        finally
        {
            server.SendStop();
            server.Dispose();
            Targets.TryRemove(key, out _);
            if (storage is IDisposable disposable) disposable.Dispose();
        }
    }

    private static PostgreSqlStorageOptions PostgresOptions => new()
    {
        SchemaName = PostgresSchema,
        PrepareSchemaIfNecessary = true,
        // As the app configures it: the storage's 15 s default would leave workers asleep on an empty queue.
        QueuePollInterval = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Drops the baseline's Hangfire schema (a reused database keeps no job history from an earlier run).</summary>
    internal static Task DropStorageAsync(BenchDatabase db) => db is PostgresBenchDatabase
        ? db.ExecuteAsync($"DROP SCHEMA IF EXISTS \"{PostgresSchema}\" CASCADE")
        : Task.CompletedTask;

    /// <summary>
    /// One job: one event's rows in one transaction, as a naive job handler writes them. Public, with plain arguments:
    /// Hangfire stores the call and runs it on a worker.
    /// </summary>
    public static async Task WriteEventAsync(string target, int index, string payload)
    {
        var t = Targets.TryGetValue(target, out var found) ? found : throw new InvalidOperationException($"No baseline run {target} in this process.");
        var row = new LicenseRow(index, t.IdBase + index, t.Package, DataSet.OrgId('N', t.Run, t.OrgSeq + index), t.Accounts);
        if (!payload.Contains(row.OrgId, StringComparison.Ordinal))
            throw new InvalidOperationException($"Job {index} carries an event for another org than {row.OrgId}.");
        await using var session = await t.Db.BeginAsync(pooled: true);
        await BulkWriter.WriteLicensesAsync(session, [row], 0, t.EventPrefix, uninstalls: false, t.HistoryPerEvent, t.HistoryIdBase);
        await session.CommitAsync();
    }
}
