using System.Diagnostics;
using LicenseManager.Core.Domain;
using LicenseManager.Tests.Infrastructure;
using LicenseManager.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LicenseManager.Tests.Persistence;

/// <summary>The singleton lease every one-node-at-a-time job uses: exclusive, released on dispose, and a lost lease is noticed.</summary>
public abstract class SingletonLeaseTests(LmaApp app)
{
    protected SingletonLeases Leases => app.Services.GetRequiredService<SingletonLeases>();

    /// <summary>Takes the lease away from under its holder the way the database would lose it.</summary>
    protected abstract Task BreakAsync(string name);

    [SkippableFact]
    public async Task Only_one_holder_at_a_time_and_disposing_releases_it()
    {
        Requires.Available(app);
        var name = $"test-{Guid.NewGuid():N}"[..30];
        await using (var first = await Leases.TryAcquireAsync(name, default))
        {
            Assert.NotNull(first);
            Assert.Null(await Leases.TryAcquireAsync(name, default));
            Assert.Equal(LeaseRun.NotAcquired, await Leases.RunAsync(name, _ => Task.CompletedTask, default));
        }
        await using var again = await Leases.TryAcquireAsync(name, default);
        Assert.NotNull(again);
    }

    [SkippableFact]
    public async Task A_lost_lease_stops_the_work_within_seconds()
    {
        Requires.Available(app);
        var name = $"test-{Guid.NewGuid():N}"[..30];
        var started = new TaskCompletionSource();
        var stoppedAfter = TimeSpan.Zero;
        var run = Leases.RunAsync(name, async ct =>
        {
            started.SetResult();
            var clock = Stopwatch.StartNew();
            try { await Task.Delay(TimeSpan.FromMinutes(2), ct); }
            finally { stoppedAfter = clock.Elapsed; }
        }, default);
        await started.Task;
        await BreakAsync(name);
        Assert.Equal(LeaseRun.Lost, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(15), $"the work ran on for {stoppedAfter.TotalSeconds:F1} s after the lease was lost");
        // Whoever breaks it can take it; once it's free again, the next run here gets it.
        await using var next = await Leases.TryAcquireAsync(name, default);
        Assert.NotNull(next);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SingletonLeaseTests_Sqlite(SqliteApp app) : SingletonLeaseTests(app)
{
    private readonly SqliteApp _app = app;

    protected override Task BreakAsync(string name) => _app.WithDb(db =>
        db.JobLeases.Where(l => l.Name == name).ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, "another-host|x|1|1|stolen").SetProperty(l => l.ExpiresAt, DateTime.UnixEpoch)));

    private static string BootId => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    private static string StartTimeOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    private Task HoldAsync(string name, string owner) => _app.WithDb(async db =>
    {
        db.JobLeases.Add(new JobLease { Name = name, Owner = owner, ExpiresAt = DateTime.UtcNow.AddHours(1) }); // leases expire on the real clock (SingletonLeases), as across processes
        await db.SaveChangesAsync();
    });

    [Fact]
    public async Task A_lease_whose_holder_process_is_gone_is_taken_at_once_though_it_has_not_expired()
    {
        using var gone = Process.Start(new ProcessStartInfo("sleep", "0"))!;
        await gone.WaitForExitAsync();
        var name = $"test-{Guid.NewGuid():N}"[..30];
        await HoldAsync(name, $"{Environment.MachineName}|{BootId}|{gone.Id}|12345|dead0000");
        await using var taken = await Leases.TryAcquireAsync(name, default);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_lease_of_a_previous_boot_is_taken_at_once()
    {
        var name = $"test-{Guid.NewGuid():N}"[..30];
        await HoldAsync(name, $"{Environment.MachineName}|00000000-0000-0000-0000-000000000000|{Environment.ProcessId}|1|oldboot0");
        await using var taken = await Leases.TryAcquireAsync(name, default);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_lease_held_by_a_live_process_is_not_taken_before_it_expires()
    {
        using var alive = Process.Start(new ProcessStartInfo("sleep", "60"))!;
        try
        {
            var name = $"test-{Guid.NewGuid():N}"[..30];
            await HoldAsync(name, $"{Environment.MachineName}|{BootId}|{alive.Id}|{StartTimeOf(alive.Id)}|alive000");
            Assert.Null(await Leases.TryAcquireAsync(name, default));
            // Its process id reused by a process started at another time: the holder is gone.
            await _app.WithDb(db => db.JobLeases.Where(l => l.Name == name)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, $"{Environment.MachineName}|{BootId}|{alive.Id}|1|reused00")));
            await using var taken = await Leases.TryAcquireAsync(name, default);
            Assert.NotNull(taken);
        }
        finally
        {
            alive.Kill();
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class SingletonLeaseTests_PostgreSql(PostgresApp app) : SingletonLeaseTests(app)
{
    private readonly PostgresApp _app = app;

    /// <summary>The server ends the lease's session (as when the connection dies): the lock goes with it.</summary>
    protected override Task BreakAsync(string name) => _app.WithDb(db => db.Database.ExecuteSqlRawAsync(
        """SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = {0} AND pid <> pg_backend_pid()""",
        $"LicenseManager lease {name}"));
}
