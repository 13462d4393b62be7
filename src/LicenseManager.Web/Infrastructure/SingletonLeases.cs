using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LicenseManager.Web.Infrastructure;

/// <summary>What became of a run under a singleton lease.</summary>
public enum LeaseRun
{
    /// <summary>Another node (or another caller here) holds the lease: nothing was done.</summary>
    NotAcquired,
    Completed,
    /// <summary>The lease was lost part-way: the work stopped (logged once at warning); whoever holds it now carries on.</summary>
    Lost,
}

/// <summary>
/// A held singleton lease. <see cref="Lost"/> fires when it can no longer be trusted (its connection died, another
/// process took it over); disposing releases it.
/// </summary>
public interface ISingletonLease : IAsyncDisposable
{
    string Name { get; }
    CancellationToken Lost { get; }
}

/// <summary>
/// The one lock for every job that must run on one node at a time (the install processor, the sweeps, the alert
/// scans), built on what each database gives so that a holder that dies is replaced within seconds:
/// <list type="bullet">
/// <item>PostgreSQL: a session advisory lock (<c>pg_try_advisory_lock</c>) on a connection of its own, held open for
/// the lease's life. The server frees it the moment that connection ends (a killed process's socket closes at once);
/// the session asks the server to end it after a few seconds without a heartbeat, for a holder whose machine vanished.</item>
/// <item>SQL Server: <c>sp_getapplock</c> with a session owner on a connection of its own, freed the same way.</item>
/// <item>SQLite (one machine by nature): the JobLeases row, with an expiry a few seconds ahead renewed by a heartbeat,
/// and an owner (boot id, process id and start time) that lets a restarted process prove the previous holder dead
/// and take over at once.</item>
/// </list>
/// The lease connection is checked every second or two; a failed check is a lost lease, since the lock may be gone.
/// </summary>
public sealed class SingletonLeases(DatabaseSettings database, IServiceScopeFactory scopes, ILogger<SingletonLeases> logger)
{
    /// <summary>How often a held lease is checked (and, on SQLite, renewed).</summary>
    internal static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    /// <summary>SQLite: how far ahead a renewal puts the expiry; the longest a holder on another machine keeps a dead lease.</summary>
    internal static readonly TimeSpan SqliteExpiry = TimeSpan.FromSeconds(6);
    /// <summary>PostgreSQL: the server ends a lease session idle this long (no heartbeat), freeing the lock.</summary>
    private const string PostgresIdleTimeout = "6s";

    /// <summary>Takes the lease when it is free (or its holder is provably dead); null when someone else holds it.</summary>
    public async Task<ISingletonLease?> TryAcquireAsync(string name, CancellationToken ct)
    {
        Lease? lease = database.Provider switch
        {
            DatabaseProvider.PostgreSql => await PostgresLease.TryAcquireAsync(name, database.ConnectionString, logger, ct),
            DatabaseProvider.SqlServer => await SqlServerLease.TryAcquireAsync(name, database.ConnectionString, logger, ct),
            _ => await SqliteLease.TryAcquireAsync(name, scopes, logger, ct),
        };
        lease?.StartHeartbeat();
        return lease;
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding the lease. Its token fires when the lease is lost or <paramref name="ct"/>
    /// fires; a loss ends the run quietly (the lease logged it once at warning), so every job handles it the same way.
    /// </summary>
    public async Task<LeaseRun> RunAsync(string name, Func<CancellationToken, Task> work, CancellationToken ct)
    {
        await using var lease = await TryAcquireAsync(name, ct);
        if (lease is null) return LeaseRun.NotAcquired;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
        try
        {
            await work(linked.Token);
            return lease.Lost.IsCancellationRequested ? LeaseRun.Lost : LeaseRun.Completed;
        }
        catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return LeaseRun.Lost;
        }
        catch (Exception) when (lease.Lost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Work cut off by the dead lease connection fails in whatever way the provider reports it.
            return LeaseRun.Lost;
        }
    }

    /// <summary>A stable 64-bit lock key for a lease name (advisory locks take numbers).</summary>
    internal static long KeyOf(string name) => DatabaseLocks.KeyOf(name);

    private abstract class Lease(string name, ILogger logger) : ISingletonLease
    {
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _heartbeat = Task.CompletedTask;
        private int _lostLogged;

        public string Name { get; } = name;
        public CancellationToken Lost => _lost.Token;

        public void StartHeartbeat() => _heartbeat = Task.Run(HeartbeatAsync);

        /// <summary>True while the lease is still ours; false (or an exception) when it is gone.</summary>
        protected abstract Task<bool> CheckAsync(CancellationToken ct);
        protected abstract Task ReleaseAsync();

        private async Task HeartbeatAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Heartbeat, _stop.Token);
                    if (!await CheckAsync(_stop.Token)) { MarkLost("another process holds it now"); return; }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return; // released while a check ran (SqlClient reports the cancelled command as a SqlException)
                }
                catch (Exception e)
                {
                    if (OnCheckFailed(e)) { MarkLost(e.GetBaseException().Message); return; }
                }
            }
        }

        /// <summary>Whether a failed check means the lease is lost (a dead connection does; SQLite retries until its expiry).</summary>
        protected virtual bool OnCheckFailed(Exception e) => true;

        protected void MarkLost(string reason)
        {
            if (Interlocked.Exchange(ref _lostLogged, 1) == 0)
                logger.LogWarning("Lost the {Lease} lease ({Reason}): this node stops that work; whichever node holds the lease now carries on", Name, reason);
            _lost.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try { await _heartbeat; } catch (OperationCanceledException) { }
            if (!_lost.IsCancellationRequested)
            {
                try { await ReleaseAsync(); }
                catch (Exception e)
                {
                    // The lock goes with the connection (closed below) or expires: nothing stays held.
                    logger.LogDebug(e, "Releasing the {Lease} lease failed", Name);
                }
            }
            await CloseAsync();
            _stop.Dispose();
            _lost.Dispose();
        }

        protected virtual ValueTask CloseAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The lease connection: unpooled, so closing it really ends the session and nothing held goes back to a pool.</summary>
    private static string DedicatedConnection(string connectionString, string name) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false, ApplicationName = $"LicenseManager lease {name}", CommandTimeout = 5, Timeout = 10, MaxAutoPrepare = 0,
        }.ConnectionString;

    private sealed class PostgresLease(string name, long key, NpgsqlConnection connection, ILogger logger) : Lease(name, logger)
    {
        public static async Task<Lease?> TryAcquireAsync(string name, string connectionString, ILogger logger, CancellationToken ct)
        {
            var connection = new NpgsqlConnection(DedicatedConnection(connectionString, name));
            try
            {
                await connection.OpenAsync(ct);
                // A holder whose machine vanishes sends nothing: the server then ends the session (freeing the lock)
                // after this long without a heartbeat, and notices a dead peer through keepalives. PostgreSQL older than
                // 14 has no idle_session_timeout; the keepalives still apply there.
                foreach (var (setting, value) in new[] { ("idle_session_timeout", PostgresIdleTimeout), ("tcp_keepalives_idle", "3"), ("tcp_keepalives_interval", "1"), ("tcp_keepalives_count", "3") })
                {
                    try
                    {
                        await using var set = new NpgsqlCommand("SELECT set_config(@name, @value, false)", connection);
                        set.Parameters.AddWithValue("name", setting);
                        set.Parameters.AddWithValue("value", value);
                        await set.ExecuteScalarAsync(ct);
                    }
                    catch (PostgresException e) when (e.SqlState is "42704" or "22023" or "42501") { /* not on this server */ }
                }
                if (await DatabaseLocks.PostgresLockAsync(connection, name, wait: false, ct)) return new PostgresLease(name, KeyOf(name), connection, logger);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            await connection.DisposeAsync();
            return null;
        }

        protected override async Task<bool> CheckAsync(CancellationToken ct)
        {
            // The lock lives as long as this session: a session that still answers still holds it.
            await using var ping = new NpgsqlCommand("SELECT 1", connection);
            await ping.ExecuteScalarAsync(ct);
            return true;
        }

        protected override async Task ReleaseAsync()
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", key);
            await unlock.ExecuteScalarAsync();
        }

        protected override ValueTask CloseAsync() => connection.DisposeAsync();
    }

    /// <summary>
    /// sp_getapplock with @LockOwner = 'Session': held by the connection's session, freed by the server when it ends.
    /// Not exercised by the test suite (no SQL Server here); it follows the documented contract of sp_getapplock.
    /// </summary>
    private sealed class SqlServerLease(string name, SqlConnection connection, ILogger logger) : Lease(name, logger)
    {
        private static string Resource(string name) => DatabaseLocks.ResourceOf(name);

        public static async Task<Lease?> TryAcquireAsync(string name, string connectionString, ILogger logger, CancellationToken ct)
        {
            var builder = new SqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = $"LicenseManager lease {name}", ConnectTimeout = 10 };
            var connection = new SqlConnection(builder.ConnectionString);
            try
            {
                await connection.OpenAsync(ct);
                // 0 granted, 1 granted after waiting; negative: timeout (held elsewhere), deadlock, error.
                if (await DatabaseLocks.SqlServerLockAsync(connection, name, lockTimeoutMs: 0, commandTimeoutSeconds: 5, ct) >= 0)
                    return new SqlServerLease(name, connection, logger);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            await connection.DisposeAsync();
            return null;
        }

        protected override async Task<bool> CheckAsync(CancellationToken ct)
        {
            await using var check = new SqlCommand("SELECT APPLOCK_MODE('public', @Resource, 'Session')", connection) { CommandTimeout = 5 };
            check.Parameters.AddWithValue("@Resource", Resource(Name));
            return await check.ExecuteScalarAsync(ct) is string mode && mode != "NoLock";
        }

        protected override async Task ReleaseAsync()
        {
            await using var release = new SqlCommand("sp_releaseapplock", connection) { CommandType = CommandType.StoredProcedure, CommandTimeout = 5 };
            release.Parameters.AddWithValue("@Resource", Resource(Name));
            release.Parameters.AddWithValue("@LockOwner", "Session");
            await release.ExecuteNonQueryAsync();
        }

        protected override ValueTask CloseAsync() => connection.DisposeAsync();
    }

    private sealed class SqliteLease(string name, string owner, DateTime expiresAt, IServiceScopeFactory scopes, ILogger logger) : Lease(name, logger)
    {
        private DateTime _expiresAt = expiresAt;

        public static async Task<Lease?> TryAcquireAsync(string name, IServiceScopeFactory scopes, ILogger logger, CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var owner = LeaseOwner.Current.With(RandomNumberGenerator.GetHexString(8, lowercase: true));
            var now = DateTime.UtcNow;
            var expires = now + SqliteExpiry;
            var row = await db.JobLeases.AsNoTracking().FirstOrDefaultAsync(l => l.Name == name, ct);
            if (row is null)
            {
                try
                {
                    db.JobLeases.Add(new JobLease { Name = name, Owner = owner, ExpiresAt = expires });
                    await db.SaveChangesAsync(ct);
                    return new SqliteLease(name, owner, expires, scopes, logger);
                }
                catch (DbUpdateException)
                {
                    return null; // another process created it first
                }
            }
            var dead = LeaseOwner.IsProvablyDead(row.Owner);
            if (!dead && row.ExpiresAt >= now) return null;
            // Compare-and-set on the holder that was read (every holding has an owner of its own): of two processes
            // taking over the same dead lease, one wins; a live holder that renewed meanwhile keeps it.
            var taken = await db.JobLeases
                .Where(l => l.Name == name && l.Owner == row.Owner && (dead || l.ExpiresAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.ExpiresAt, expires), ct);
            if (taken == 1 && dead && row.ExpiresAt >= now)
                logger.LogInformation("Took over the {Lease} lease from {Owner}, a process that no longer runs", name, row.Owner);
            return taken == 1 ? new SqliteLease(name, owner, expires, scopes, logger) : null;
        }

        protected override async Task<bool> CheckAsync(CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            var expires = DateTime.UtcNow + SqliteExpiry;
            var renewed = await db.JobLeases.Where(l => l.Name == Name && l.Owner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), ct);
            if (renewed == 1) _expiresAt = expires;
            return renewed == 1;
        }

        /// <summary>A busy database delays a renewal: keep trying while the last renewal still holds.</summary>
        protected override bool OnCheckFailed(Exception e) => DateTime.UtcNow >= _expiresAt;

        protected override async Task ReleaseAsync()
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>();
            await db.JobLeases.Where(l => l.Name == Name && l.Owner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, DateTime.UnixEpoch));
        }
    }
}

/// <summary>
/// Who holds a SQLite lease, written so that another process on the same machine can prove the holder dead:
/// "host|boot id|pid|process start|nonce". A holder is dead when the machine has rebooted since (another boot id),
/// or its process id is gone or now belongs to a process started at another time. A holder on another machine is
/// never judged; its lease expires.
/// </summary>
internal sealed record LeaseOwner(string Host, string Boot, int Pid, string Started)
{
    public static readonly LeaseOwner Current = new(
        Truncate(Environment.MachineName, 40), BootId() ?? "", Environment.ProcessId, StartTimeOf(Environment.ProcessId) ?? "");

    public string With(string nonce) => $"{Host}|{Boot}|{Pid.ToString(CultureInfo.InvariantCulture)}|{Started}|{nonce}";

    public static bool IsProvablyDead(string owner)
    {
        var parts = owner.Split('|');
        if (parts.Length != 5 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return false;
        var (host, boot, started) = (parts[0], parts[1], parts[3]);
        if (host != Current.Host) return false;
        if (boot.Length > 0 && Current.Boot.Length > 0 && boot != Current.Boot) return true; // rebooted since
        var now = StartTimeOf(pid);
        return now is null || (started.Length > 0 && now != started);
    }

    /// <summary>Linux's id of this boot; null elsewhere.</summary>
    private static string? BootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>When a process started (clock ticks since boot on Linux), or null when no such process runs.</summary>
    private static string? StartTimeOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces, so count after its ')'.
                var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields.Length > 19 && fields[0] != "Z" ? fields[19] : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return null; }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
