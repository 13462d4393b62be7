using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace LicenseManager.Tests.Persistence;

/// <summary>A database of the test's own for nodes started as child processes: a SQLite file or a PostgreSQL database.</summary>
public sealed class NodeDatabase : IAsyncDisposable
{
    private readonly string? _postgresName;
    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }

    private NodeDatabase(DatabaseProvider provider, string dataDirectory, string connectionString, string? postgresName) =>
        (Provider, DataDirectory, ConnectionString, _postgresName) = (provider, dataDirectory, connectionString, postgresName);

    /// <summary>Nothing is created on the server: the first node creates the database (as on a fresh install).</summary>
    public static NodeDatabase Create(DatabaseProvider provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lma-nodes", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (provider == DatabaseProvider.Sqlite)
            return new NodeDatabase(provider, folder, $"Data Source={Path.Combine(folder, "lma.db")}", null);
        var name = $"lma_nodes_{Guid.NewGuid():N}";
        return new NodeDatabase(provider, folder, new NpgsqlConnectionStringBuilder(PostgresApp.ServerConnection) { Database = name }.ConnectionString, name);
    }

    public LicenseManagerDbContext Db() => AppNode.Db(Provider, ConnectionString);

    public AppNode StartNode() => AppNode.Start(Provider, ConnectionString, DataDirectory);

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is not null)
        {
            using (var own = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(own);
            await using var connection = new NpgsqlConnection(PostgresApp.ServerConnection);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            using var own = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(own);
        }
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// A node killed with SIGKILL in the middle of processing a burst of installs: another node (started on the same
/// database) takes the processing over within seconds, every accepted event becomes exactly one license and nothing
/// is applied twice.
/// </summary>
public abstract class NodeCrashTests(ITestOutputHelper output)
{
    protected abstract DatabaseProvider Provider { get; }
    private const int Burst = 5000;

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan within, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen within {within.TotalSeconds:0} s");
    }

    [SkippableFact]
    public async Task A_node_killed_mid_batch_is_taken_over_within_seconds_and_nothing_is_lost_or_applied_twice()
    {
        Skip.If(Provider == DatabaseProvider.PostgreSql && string.IsNullOrEmpty(PostgresApp.ServerConnection) && !PostgresApp.Required, "PostgreSQL is not configured here");
        await using var database = NodeDatabase.Create(Provider);
        var first = database.StartNode();
        AppNode? second = null;
        try
        {
            await first.WaitLiveAsync(TimeSpan.FromSeconds(120));
            var (packageId, versionId) = (Events.NewPackageId(), Events.NewVersionId());
            Assert.Equal(HttpStatusCode.Accepted, (await first.PostEventAsync(Events.VersionUploaded(packageId, versionId))).StatusCode);
            await EventuallyAsync(async () =>
            {
                await using var db = database.Db();
                return await db.Packages.AnyAsync(p => p.PackageId == packageId) ? "" : null;
            }, TimeSpan.FromSeconds(30), "the package upload");
            await using (var db = database.Db())
            {
                var package = await db.Packages.SingleAsync(p => p.PackageId == packageId);
                package.IsAssociated = true;
                package.AssociatedAt = DateTime.UtcNow;
                package.Defaults = new LicenseDefaults(LicenseStatus.Trial, null, 30);
                await db.SaveChangesAsync();
            }

            // The burst: many senders at once; what got a 202 was accepted and must become a license.
            var accepted = new ConcurrentBag<string>();
            var orgs = Enumerable.Range(0, Burst).Select(_ => Events.NewOrgId()).ToList();
            var killed = 0;
            var burst = Parallel.ForEachAsync(orgs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (org, _) =>
            {
                if (Volatile.Read(ref killed) == 1) return;
                try
                {
                    if ((await first.PostEventAsync(Events.Install(versionId, org))).StatusCode == HttpStatusCode.Accepted) accepted.Add(org);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { /* the node died: not accepted */ }
            });

            // Kill the node while it is processing: the processor holds its lease, some licenses exist, and accepted
            // events are still pending.
            var (licensesAtKill, pendingAtKill, heldAtKill) = (0, 0, false);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                await using var db = database.Db();
                licensesAtKill = await db.Licenses.CountAsync();
                pendingAtKill = await db.InstallEvents.CountAsync(e => e.State == InstallEventState.Pending);
                heldAtKill = await ProcessorLeaseHeldAsync(db);
                if (licensesAtKill >= 20 && pendingAtKill >= 20 && heldAtKill) break;
                await Task.Delay(10);
            }
            await first.KillAsync();
            Volatile.Write(ref killed, 1);
            var killedAt = Stopwatch.StartNew();
            await burst;
            output.WriteLine($"Killed the first node with {licensesAtKill} licenses made and {pendingAtKill} events pending, its processor holding the lease: {heldAtKill}; {accepted.Count} installs accepted.");
            Assert.True(pendingAtKill >= 20 && heldAtKill, $"the first node was killed with {pendingAtKill} events pending, lease held: {heldAtKill}: the kill was not mid-batch");

            second = database.StartNode();
            await second.WaitLiveAsync(TimeSpan.FromSeconds(120));
            var live = killedAt.Elapsed;
            var lastOrg = Events.NewOrgId();
            var sent = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.Accepted, (await second.PostEventAsync(Events.Install(versionId, lastOrg))).StatusCode);
            await EventuallyAsync(async () =>
            {
                await using var db = database.Db();
                return await db.Licenses.AnyAsync(l => l.SubscriberOrgId == lastOrg) ? "" : null;
            }, TimeSpan.FromSeconds(15), "the license of the install sent to the second node");
            output.WriteLine($"{Provider}: second node live {live.TotalSeconds:F1} s after the kill; its install's license existed {sent.Elapsed.TotalSeconds:F1} s after it was sent ({killedAt.Elapsed.TotalSeconds:F1} s after the kill).");

            await EventuallyAsync(async () =>
            {
                await using var db = database.Db();
                return await db.InstallEvents.AnyAsync(e => e.State == InstallEventState.Pending) ? null : "";
            }, TimeSpan.FromSeconds(60), "processing of every stored event");

            await using (var db = database.Db())
            {
                var stored = await db.InstallEvents.AsNoTracking().Where(e => e.Type == InstallEventType.Install).ToListAsync();
                Assert.All(stored, e => Assert.True(e.State == InstallEventState.Done, $"event {e.EventId}: {e.State} {e.HoldReason}"));
                var licenses = await db.Licenses.AsNoTracking().Select(l => new { l.Id, l.SubscriberOrgId, l.LeadKey }).ToListAsync();
                var perOrg = licenses.GroupBy(l => l.SubscriberOrgId).ToDictionary(g => g.Key, g => g.Count());
                foreach (var org in accepted.Append(lastOrg))
                    Assert.True(perOrg.GetValueOrDefault(org) == 1, $"accepted org {org} has {perOrg.GetValueOrDefault(org)} licenses");
                // Stored is accepted plus any event committed just before the kill whose 202 never left the process.
                Assert.Equal(stored.Select(e => e.OrgId).Distinct().Count(), licenses.Count);
                Assert.Equal(licenses.Count, await db.Leads.CountAsync());
                Assert.Equal(licenses.Count, licenses.Select(l => l.LeadKey).Distinct().Count());
                var history = await db.LicenseFieldChanges.AsNoTracking().Select(c => new { c.LicenseKey, c.Field, c.OldValue, c.NewValue }).ToListAsync();
                var twice = history.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).FirstOrDefault();
                Assert.True(twice is null, $"field history written twice: {twice}");
            }
        }
        catch (Exception) when (Dump(first, second)) { throw; }
        finally
        {
            await first.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
        }
    }

    /// <summary>Whether a node holds the processor's lease now: an unexpired JobLeases row on SQLite, a granted advisory lock on PostgreSQL.</summary>
    private async Task<bool> ProcessorLeaseHeldAsync(LicenseManagerDbContext db)
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var now = DateTime.UtcNow;
            return await db.JobLeases.AnyAsync(l => l.Name == LicenseManager.Web.Features.Installs.InstallEventProcessor.LeaseName && l.ExpiresAt > now);
        }
        var key = LicenseManager.Web.Infrastructure.SingletonLeases.KeyOf(LicenseManager.Web.Features.Installs.InstallEventProcessor.LeaseName);
        return await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((classid::bigint << 32) | objid::bigint) = {key}
            """).SingleAsync() > 0;
    }

    private bool Dump(AppNode first, AppNode? second)
    {
        output.WriteLine("--- first node ---\n" + Tail(first.Output));
        if (second is not null) output.WriteLine("--- second node ---\n" + Tail(second.Output));
        return false;
    }

    private static string Tail(string text) => text.Length <= 8000 ? text : text[^8000..];
}

public sealed class NodeCrashTests_Sqlite(ITestOutputHelper output) : NodeCrashTests(output)
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class NodeCrashTests_PostgreSql(ITestOutputHelper output) : NodeCrashTests(output)
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}

/// <summary>
/// Three nodes started in the same moment on a PostgreSQL database that doesn't exist yet: one creates and migrates
/// it and seeds it, the others wait and find nothing left to do; all three serve signed-in pages.
/// </summary>
public sealed class ConcurrentStartTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Three_nodes_started_at_once_on_an_empty_database_all_serve_and_one_administrator_exists()
    {
        Skip.If(string.IsNullOrEmpty(PostgresApp.ServerConnection) && !PostgresApp.Required, "PostgreSQL is not configured here");
        await using var database = NodeDatabase.Create(DatabaseProvider.PostgreSql);
        var nodes = Enumerable.Range(0, 3).Select(_ => database.StartNode()).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.WaitLiveAsync(TimeSpan.FromSeconds(180))));
            foreach (var node in nodes)
            {
                using var client = await node.SignInAsync(LmaApp.AdminEmail, LmaApp.AdminPassword);
                var page = await client.GetAsync("/licenses");
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"{node.BaseAddress}/licenses: {(int)page.StatusCode}");
                Assert.Contains("data-testid=\"signed-in-user\"", await page.Content.ReadAsStringAsync());
            }
            await using var db = database.Db();
            Assert.Equal(1, await db.Users.CountAsync());
            var adminRole = await db.Roles.SingleAsync(r => r.Name == Roles.Administrator);
            Assert.Equal(1, await db.UserRoles.CountAsync(r => r.RoleId == adminRole.Id));
            Assert.Equal(Roles.All.Count, await db.Roles.CountAsync());
            Assert.Equal(2, await db.AlertRules.CountAsync(r => r.DefaultKey != null));
            Assert.Equal(2, await db.EmailTemplates.CountAsync(t => t.DefaultKey != null));
        }
        catch (Exception) when (Dump(nodes)) { throw; }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private bool Dump(List<AppNode> nodes)
    {
        foreach (var node in nodes) output.WriteLine($"--- node {node.BaseAddress} ---\n{(node.Output.Length <= 6000 ? node.Output : node.Output[^6000..])}");
        return false;
    }
}
