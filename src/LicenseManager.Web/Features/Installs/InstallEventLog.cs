using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace LicenseManager.Web.Features.Installs;

/// <summary>An accepted platform event on its way into the installation log: the parsed request and its body as received.</summary>
public sealed record AcceptedInstallEvent(InstallEventRequest Request, string RawJson);

/// <summary>
/// Appends accepted platform events to the installation log, once per event id. This is the ingest endpoint's hot
/// path, so it writes beside EF: one statement per batch on PostgreSQL (<c>INSERT ... SELECT FROM unnest(...)</c>,
/// prepared once per connection), one prepared statement reused per row in one transaction on SQLite, each with
/// <c>ON CONFLICT DO NOTHING</c> on the event id, so a repeated event or one that raced in on another node is
/// simply not stored again. The package an event belongs to is looked up in the same statement. SQL Server goes
/// through EF (see <see cref="AppendWithEfAsync"/>). Table and column names come from the EF model.
/// </summary>
public sealed class InstallEventLog(LicenseManagerDbContext db, TimeProvider time, InstallEventSignal signal, SqliteWriteGate gate, ILogger<InstallEventLog> logger)
{
    /// <returns>True when the event was stored now; false when this event id was already stored.</returns>
    public async Task<bool> AppendAsync(InstallEventRequest request, string rawJson, CancellationToken ct) =>
        (await AppendAsync([new AcceptedInstallEvent(request, rawJson)], ct))[0];

    /// <summary>
    /// Stores a batch in one transaction (one commit for many requests: the ingest endpoint's group commit), durably:
    /// on SQLite this transaction commits with <c>synchronous=FULL</c> (the WAL is flushed to disk before the 202),
    /// PostgreSQL and SQL Server commit durably by default. Throws, storing nothing, when the database refuses it.
    /// </summary>
    /// <returns>Per event, in order: true when stored now, false when its event id was already stored (or repeats an earlier one in the batch).</returns>
    public async Task<bool[]> AppendAsync(IReadOnlyList<AcceptedInstallEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return [];
        var now = time.GetUtcNow().UtcDateTime;
        var rows = events.Select(e => Row.Of(e, now)).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var stored = db.Database.IsSqlite() ? await AppendSqliteAsync(rows, ct)
            : db.Database.IsNpgsql() ? await AppendPostgresAsync(rows, ct)
            : await AppendWithEfAsync(rows, ct);
        if (stored.Contains(true)) signal.Nudge();
        // Per-stage timings for profiling (Logging:LogLevel:LicenseManager.Web.Features.Installs=Debug).
        logger.LogDebug("Stored {Count} install events in {Total:F2} ms", rows.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return stored;
    }

    /// <summary>One installation-log row as the statement writes it; the package key is looked up by the statement.</summary>
    private sealed record Row(string EventId, InstallEventType Type, DateTime OccurredAt, DateTime ReceivedAt, string Payload,
        string? PackageVersionId, string? OrgId, string? UploadedPackageId)
    {
        public static Row Of(AcceptedInstallEvent e, DateTime now)
        {
            var (r, raw) = e;
            var type = r.ParsedType;
            var upload = type == InstallEventType.PackageVersionUploaded;
            return new Row(r.EventId!, type, r.OccurredAt!.Value.UtcDateTime, now, raw,
                upload ? r.PackageVersion!.VersionId : r.PackageVersionId, r.Org?.Id, upload ? r.Package!.PackageId : null);
        }
    }

    private async Task<bool[]> AppendSqliteAsync(List<Row> rows, CancellationToken ct)
    {
        var stored = new bool[rows.Count];
        // One writer at a time in this process (the processor's writes queue here too, in order), instead of SQLite's
        // busy handler, which sleeps up to 100 ms between attempts while the lock changes hands.
        using var _ = await gate.EnterAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await ExecuteAsync(connection, "PRAGMA synchronous=FULL;", ct);
            try
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
                await using var insert = connection.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = Sql.For(db.Model).SqliteInsert;
                var p = Sql.Columns.Select(c => insert.Parameters.Add("$" + c.Name, c.SqliteType)).ToArray();
                insert.Prepare();
                for (var i = 0; i < rows.Count; i++)
                {
                    var values = Sql.Values(rows[i]);
                    for (var c = 0; c < p.Length; c++) p[c].Value = values[c] ?? DBNull.Value;
                    stored[i] = await insert.ExecuteNonQueryAsync(ct) == 1;
                }
                var commit = System.Diagnostics.Stopwatch.GetTimestamp();
                await tx.CommitAsync(ct);
                logger.LogDebug("Committed {Count} install events (synchronous=FULL) in {Commit:F2} ms", rows.Count,
                    System.Diagnostics.Stopwatch.GetElapsedTime(commit).TotalMilliseconds);
            }
            finally
            {
                // Back to the app's setting for everything else on this pooled connection.
                await ExecuteAsync(connection, SqlitePragmaInterceptor.Synchronous, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return stored;
    }

    private async Task<bool[]> AppendPostgresAsync(List<Row> rows, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var insert = new NpgsqlCommand(Sql.For(db.Model).PostgresInsert, connection);
            var table = rows.Select(Sql.Values).ToArray();
            for (var c = 0; c < Sql.Columns.Length; c++)
            {
                var column = Sql.Columns[c];
                var values = Array.CreateInstance(column.ClrType, rows.Count);
                for (var i = 0; i < rows.Count; i++) values.SetValue(table[i][c], i);
                insert.Parameters.Add(new NpgsqlParameter(column.Name, NpgsqlDbType.Array | column.PostgresType) { Value = values });
            }
            // One statement, one implicit transaction: all of the batch or nothing.
            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) inserted.Add(reader.GetString(0));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        // The first of repeated ids in a batch is the one stored (the statement keeps the batch's order).
        return rows.Select(r => inserted.Remove(r.EventId)).ToArray();
    }

    /// <summary>SQL Server: the same rows through EF (not measured by the benchmark harness, which covers SQLite and PostgreSQL).</summary>
    private async Task<bool[]> AppendWithEfAsync(List<Row> rows, CancellationToken ct)
    {
        var stored = new bool[rows.Count];
        var eventIds = rows.Select(r => r.EventId).Distinct().ToList();
        var known = (await db.InstallEvents.Where(e => eventIds.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var versionIds = rows.Where(r => r.UploadedPackageId is null && r.PackageVersionId is not null).Select(r => r.PackageVersionId!).Distinct().ToList();
        var packageIds = rows.Where(r => r.UploadedPackageId is not null).Select(r => r.UploadedPackageId!).Distinct().ToList();
        var versionPackages = await db.PackageVersions.Where(v => versionIds.Contains(v.VersionId)).ToDictionaryAsync(v => v.VersionId, v => v.PackageKey, StringComparer.Ordinal, ct);
        var packages = await db.Packages.Where(p => packageIds.Contains(p.PackageId)).ToDictionaryAsync(p => p.PackageId, p => p.Id, StringComparer.Ordinal, ct);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (!known.Add(r.EventId)) continue;
            long? packageKey = r.UploadedPackageId is { } uploaded
                ? packages.TryGetValue(uploaded, out var p) ? p : null
                : r.PackageVersionId is { } v && versionPackages.TryGetValue(v, out var k) ? k : null;
            db.InstallEvents.Add(new InstallEvent
            {
                EventId = r.EventId, Type = r.Type, OccurredAt = r.OccurredAt, ReceivedAt = r.ReceivedAt, Payload = r.Payload,
                PackageVersionId = r.PackageVersionId, OrgId = r.OrgId, PackageKey = packageKey, State = InstallEventState.Pending,
            });
            stored[i] = true;
        }
        if (!stored.Contains(true)) return stored;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (rows.Count == 1)
        {
            // The same event id raced in on another request or node: already stored, answered the same way.
            db.ChangeTracker.Clear();
            if (await db.InstallEvents.AnyAsync(e => e.EventId == rows[0].EventId, ct)) return [false];
            throw;
        }
        return stored;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The statements, built once per model from its table and column names.</summary>
    private static class Sql
    {
        public sealed record Column(string Name, Type ClrType, SqliteType SqliteType, NpgsqlDbType PostgresType);

        // The values each row binds, in this order; State is always Pending and Attempts 0 for a new row.
        public static readonly Column[] Columns =
        [
            new("event_id", typeof(string), SqliteType.Text, NpgsqlDbType.Text),
            new("type", typeof(int), SqliteType.Integer, NpgsqlDbType.Integer),
            new("occurred_at", typeof(DateTime), SqliteType.Text, NpgsqlDbType.TimestampTz),
            new("received_at", typeof(DateTime), SqliteType.Text, NpgsqlDbType.TimestampTz),
            new("payload", typeof(string), SqliteType.Text, NpgsqlDbType.Text),
            new("version_id", typeof(string), SqliteType.Text, NpgsqlDbType.Text),
            new("org_id", typeof(string), SqliteType.Text, NpgsqlDbType.Text),
            new("uploaded_package_id", typeof(string), SqliteType.Text, NpgsqlDbType.Text),
        ];

        public static object?[] Values(Row r) =>
            [r.EventId, (int)r.Type, r.OccurredAt, r.ReceivedAt, r.Payload, r.PackageVersionId, r.OrgId, r.UploadedPackageId];

        private static readonly ConcurrentDictionary<IModel, Statements> Built = new();

        /// <summary>The statements for this model (built on first use; a test process runs apps of both providers).</summary>
        public static Statements For(IModel model) => Built.GetOrAdd(model, m => new Statements(m));

        public sealed class Statements
        {
            public string SqliteInsert { get; }
            public string PostgresInsert { get; }

            public Statements(IModel model)
            {
                string Table<T>() => StoreNames.Table(model, typeof(T));
                string C<T>(string property) => StoreNames.Column(model, typeof(T), property);

                var insertColumns = string.Join(", ",
                    new[] { nameof(InstallEvent.EventId), nameof(InstallEvent.Type), nameof(InstallEvent.OccurredAt), nameof(InstallEvent.ReceivedAt),
                            nameof(InstallEvent.Payload), nameof(InstallEvent.PackageVersionId), nameof(InstallEvent.OrgId), nameof(InstallEvent.PackageKey),
                            nameof(InstallEvent.State), nameof(InstallEvent.Attempts) }.Select(C<InstallEvent>));

                // An upload names its package; an org event its version, whose package is known once the version was uploaded.
                string PackageKey(string uploadedPackageId, string versionId) =>
                    $"CASE WHEN {uploadedPackageId} IS NOT NULL " +
                    $"THEN (SELECT p.{C<Package>(nameof(Package.Id))} FROM {Table<Package>()} p WHERE p.{C<Package>(nameof(Package.PackageId))} = {uploadedPackageId}) " +
                    $"ELSE (SELECT v.{C<PackageVersion>(nameof(PackageVersion.PackageKey))} FROM {Table<PackageVersion>()} v WHERE v.{C<PackageVersion>(nameof(PackageVersion.VersionId))} = {versionId}) END";

                var conflict = $"ON CONFLICT ({C<InstallEvent>(nameof(InstallEvent.EventId))}) DO NOTHING";

                SqliteInsert =
                    $"INSERT INTO {Table<InstallEvent>()} ({insertColumns}) " +
                    $"VALUES ($event_id, $type, $occurred_at, $received_at, $payload, $version_id, $org_id, {PackageKey("$uploaded_package_id", "$version_id")}, " +
                    $"{(int)InstallEventState.Pending}, 0) {conflict}";

                PostgresInsert =
                    $"INSERT INTO {Table<InstallEvent>()} ({insertColumns}) " +
                    $"SELECT x.event_id, x.type, x.occurred_at, x.received_at, x.payload, x.version_id, x.org_id, {PackageKey("x.uploaded_package_id", "x.version_id")}, " +
                    $"{(int)InstallEventState.Pending}, 0 " +
                    $"FROM unnest(@event_id, @type, @occurred_at, @received_at, @payload, @version_id, @org_id, @uploaded_package_id) " +
                    "WITH ORDINALITY AS x(event_id, type, occurred_at, received_at, payload, version_id, org_id, uploaded_package_id, n) " +
                    $"ORDER BY x.n {conflict} RETURNING {C<InstallEvent>(nameof(InstallEvent.EventId))}";
            }
        }
    }
}

/// <summary>
/// Wakes this node's processor as soon as an event is stored. Only a latency shortcut: the pump also polls,
/// and a recurring job sweeps, so an event stored on another node or before a restart is still processed.
/// </summary>
public sealed class InstallEventSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Nudge()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { /* already signalled: nudges coalesce */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
