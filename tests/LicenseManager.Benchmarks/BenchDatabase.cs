using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace LicenseManager.Benchmarks;

/// <summary>A column of a table the harness writes straight to, with its PostgreSQL type for binary COPY.</summary>
public sealed record Column(string Name, NpgsqlDbType Type);

public sealed record Table(string Name, params Column[] Columns);

/// <summary>Receives the rows of one table, in <see cref="Table.Columns"/> order.</summary>
public interface IRowSink : IAsyncDisposable
{
    ValueTask RowAsync(params object?[] values);
}

/// <summary>One transaction of bulk writes; one table at a time (a COPY on PostgreSQL, a reused prepared INSERT on SQLite).</summary>
public interface IBulkSession : IAsyncDisposable
{
    Task<IRowSink> TableAsync(Table table);
    Task CommitAsync();
}

/// <summary>The benchmark's own database: created for the run, written with the provider's bulk path, read for results, dropped at the end.</summary>
public abstract class BenchDatabase : IAsyncDisposable
{
    public abstract string AppProvider { get; }
    public abstract string AppConnectionString { get; }
    public abstract Task CreateAsync();
    /// <param name="pooled">A pooled connection, as an app's request or job would take (SQLite; PostgreSQL always pools).</param>
    public abstract Task<IBulkSession> BeginAsync(bool pooled = false);
    protected abstract Task<DbConnection> OpenAsync(bool pooled = false);
    /// <summary>After explicit ids were written while the app runs: its identity sequences past them (PostgreSQL; SQLite follows the largest rowid).</summary>
    public abstract Task AdvanceSequencesAsync();
    /// <summary>A copy of <paramref name="table"/>'s structure (columns, keys, indexes, foreign keys) under <paramref name="scratch"/>, empty.</summary>
    public abstract Task CopyTableStructureAsync(string table, string scratch);
    /// <summary>True when this database already existed (a reused one) and holds a migrated schema.</summary>
    public abstract Task<bool> HasSchemaAsync();
    /// <summary>Where the data is, for the report: the SQLite file or the PostgreSQL database name.</summary>
    public abstract string Location { get; }
    /// <summary>After explicit ids were written: identity sequences past them, planner statistics fresh.</summary>
    public abstract Task AfterBulkLoadAsync();
    public abstract ValueTask DisposeAsync();

    /// <param name="reuse">The <c>--reuse-db</c> database (kept at the end), or null for a fresh one dropped at the end.</param>
    public static BenchDatabase For(BenchmarkOptions o, string workDirectory, string? reuse = null) => o.Provider switch
    {
        Provider.Sqlite => new SqliteBenchDatabase(reuse is null ? Path.Combine(workDirectory, "licensemanager.db") : Path.GetFullPath(reuse)),
        _ => new PostgresBenchDatabase(o.PostgresConnection!, reuse),
    };

    /// <summary>The tables the harness writes explicit ids into while the app runs (the raw write limit, the baseline).</summary>
    protected static readonly string[] PerEventTables = ["Leads", "Licenses", "InstallEvents", "LicenseFieldChanges"];

    /// <summary>An id above every row of the per-event tables: the raw write limit and the baseline start there, so reused data never collides.</summary>
    public async Task<long> NextFreeIdAsync() => 1 + await ScalarAsync(
        "SELECT MAX(m) FROM (" + string.Join(" UNION ALL ", PerEventTables.Select(t => $"SELECT COALESCE(MAX(\"Id\"), 0) AS m FROM {Q(t)}")) + ") ids");

    /// <summary>
    /// The next free sequence number of the bench org ids of a package (<see cref="DataSet.OrgId"/>: fixed width, so the
    /// largest sorts last): 0 on a fresh database, past every earlier run's orgs on a reused one.
    /// </summary>
    public async Task<int> NextOrgSeqAsync(long packageKey)
    {
        var rows = await QueryAsync("""SELECT MAX("OrgId") FROM "InstallEvents" WHERE "PackageKey" = @p""", r => r.IsDBNull(0) ? null : r.GetString(0), ("@p", packageKey));
        return rows is [{ Length: 15 } max] ? int.Parse(max[5..], System.Globalization.CultureInfo.InvariantCulture) + 1 : 0;
    }

    /// <summary>Per-connection settings for writes as the app makes them (SQLite: foreign keys, synchronous, busy timeout).</summary>
    protected virtual string? WritePragmas => null;

    /// <summary>Runs statements in one committed transaction, with the app's write settings; returns the seconds from the statement to the commit (not the open).</summary>
    public async Task<double> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        if (WritePragmas is { } pragmas)
            await using (var pragma = Command(connection, pragmas, []))
                await pragma.ExecuteNonQueryAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = Command(connection, sql, parameters))
        {
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return sw.Elapsed.TotalSeconds;
    }

    private const string StateTable = "\"bench_reuse_state\"";

    /// <summary>What a reused database must remember between runs (the bench administrator's password): a harness table beside the app's.</summary>
    public async Task<string?> ReadStateAsync(string key)
    {
        await ExecuteAsync($"""CREATE TABLE IF NOT EXISTS {StateTable} ("Key" TEXT PRIMARY KEY, "Value" TEXT NOT NULL)""");
        var rows = await QueryAsync($"""SELECT "Value" FROM {StateTable} WHERE "Key" = @k""", r => r.GetString(0), ("@k", key));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task WriteStateAsync(string key, string value)
    {
        await ExecuteAsync($"""CREATE TABLE IF NOT EXISTS {StateTable} ("Key" TEXT PRIMARY KEY, "Value" TEXT NOT NULL)""");
        await ExecuteAsync($"""DELETE FROM {StateTable} WHERE "Key" = @k; INSERT INTO {StateTable} ("Key", "Value") VALUES (@k, @v)""", ("@k", key), ("@v", value));
    }

    /// <summary>The receipt times of a run's events (by event id prefix) and the creation of the last of their licenses.</summary>
    public async Task<(long Events, DateTime? FirstReceived, DateTime? LastReceived, DateTime? LastLicense)> ReceiptTimesAsync(long packageKey, string eventPrefix)
    {
        var rows = await QueryAsync(
            """
            SELECT COUNT(*), MIN(e."ReceivedAt"), MAX(e."ReceivedAt"), MAX(l."CreatedAt")
            FROM "InstallEvents" e LEFT JOIN "Licenses" l ON l."Id" = e."LicenseKey"
            WHERE e."PackageKey" = @p AND e."EventId" LIKE @prefix
            """,
            r => (r.GetInt64(0), NullableUtc(r, 1), NullableUtc(r, 2), NullableUtc(r, 3)), ("@p", packageKey), ("@prefix", eventPrefix + "%"));
        return rows[0];
    }

    /// <summary>What "every event became exactly one license" rests on, for a run's events (by event id prefix).</summary>
    public sealed record OneLicensePerEvent(long Events, long Orgs, long Linked, long Licenses, long LicensedOrgs)
    {
        /// <summary>
        /// Every event stored once for its own org, done, pointing at a license of its own org and package; and those
        /// orgs have exactly one license each in the package: no event lost, none applied twice, no duplicate license.
        /// </summary>
        public bool Holds(long expected) => Events == expected && Orgs == expected && Linked == expected && Licenses == expected && LicensedOrgs == expected;

        public override string ToString() =>
            $"{Events} events for {Orgs} orgs, {Linked} done and linked to their org's license, {Licenses} licenses for {LicensedOrgs} of those orgs";
    }

    public async Task<OneLicensePerEvent> OneLicensePerEventAsync(long packageKey, string eventPrefix)
    {
        (string, object)[] p = [("@p", packageKey), ("@prefix", eventPrefix + "%")];
        var events = await QueryAsync(
            """
            SELECT COUNT(*), COUNT(DISTINCT e."OrgId"),
                   COALESCE(SUM(CASE WHEN e."State" = 1 AND l."PackageKey" = e."PackageKey" AND l."SubscriberOrgId" = e."OrgId" THEN 1 ELSE 0 END), 0)
            FROM "InstallEvents" e LEFT JOIN "Licenses" l ON l."Id" = e."LicenseKey"
            WHERE e."PackageKey" = @p AND e."EventId" LIKE @prefix
            """, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), p);
        var licenses = await QueryAsync(
            """
            SELECT COUNT(*), COUNT(DISTINCT l."SubscriberOrgId") FROM "Licenses" l
            WHERE l."PackageKey" = @p AND l."SubscriberOrgId" IN (SELECT e."OrgId" FROM "InstallEvents" e WHERE e."PackageKey" = @p AND e."EventId" LIKE @prefix)
            """, r => (r.GetInt64(0), r.GetInt64(1)), p);
        return new(events[0].Item1, events[0].Item2, events[0].Item3, licenses[0].Item1, licenses[0].Item2);
    }

    /// <summary>Field history rows of the licenses a run's events made: the raw write limit writes as many per event.</summary>
    public Task<long> HistoryRowsAsync(long packageKey, string eventPrefix) => ScalarAsync(
        """
        SELECT COUNT(*) FROM "LicenseFieldChanges" h
        WHERE h."LicenseKey" IN (SELECT e."LicenseKey" FROM "InstallEvents" e WHERE e."PackageKey" = @p AND e."EventId" LIKE @prefix)
        """, ("@p", packageKey), ("@prefix", eventPrefix + "%"));

    private static DateTime? NullableUtc(DbDataReader r, int i) => r.IsDBNull(i) ? null : AsUtc(r.GetDateTime(i));

    protected static string Q(string name) => "\"" + name + "\"";

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    protected static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }

    public Task<long> CountLicensesAsync(long packageKey) =>
        ScalarAsync("""SELECT COUNT(*) FROM "Licenses" WHERE "PackageKey" = @p""", ("@p", packageKey));

    /// <summary>Accept-to-license per event of a run (by event id prefix): the license's creation minus the event's receipt, in milliseconds.</summary>
    public Task<List<double>> AcceptToLicenseMillisecondsAsync(long packageKey, string eventPrefix) => QueryAsync(
        """SELECT e."ReceivedAt", l."CreatedAt" FROM "InstallEvents" e JOIN "Licenses" l ON l."Id" = e."LicenseKey" WHERE e."PackageKey" = @p AND e."EventId" LIKE @prefix""",
        r => (AsUtc(r.GetDateTime(1)) - AsUtc(r.GetDateTime(0))).TotalMilliseconds, ("@p", packageKey), ("@prefix", eventPrefix + "%"));

    public async Task<(int State, DateTime? Started, DateTime? Finished, int Replayed, string? Error)?> RefreshAsync(long packageKey, long afterId)
    {
        var rows = await QueryAsync(
            """SELECT "State", "StartedAt", "FinishedAt", "EventsReplayed", "Error" FROM "LicenseRefreshes" WHERE "PackageKey" = @p AND "Id" > @a ORDER BY "Id" DESC""",
            r => (r.GetInt32(0), r.IsDBNull(1) ? (DateTime?)null : AsUtc(r.GetDateTime(1)), r.IsDBNull(2) ? (DateTime?)null : AsUtc(r.GetDateTime(2)),
                r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4)),
            ("@p", packageKey), ("@a", afterId));
        return rows.Count == 0 ? null : rows[0];
    }

    private static DateTime AsUtc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc);
}

public sealed class SqliteBenchDatabase(string path) : BenchDatabase
{
    public override string AppProvider => "Sqlite";
    public override string AppConnectionString => new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString;
    public override string Location => path;

    // As the app sets them (SqlitePragmaInterceptor, EF): concurrent writers wait inside SQLite for the write lock.
    protected override string WritePragmas => "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public override Task CreateAsync() => Task.CompletedTask; // the app creates the file when it migrates

    protected override async Task<DbConnection> OpenAsync(bool pooled = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = pooled }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IBulkSession> BeginAsync(bool pooled = false)
    {
        var connection = (SqliteConnection)await OpenAsync(pooled);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = WritePragmas;
            await pragma.ExecuteNonQueryAsync();
        }
        return new Session(connection, connection.BeginTransaction());
    }

    public override async Task AfterBulkLoadAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    public override Task AdvanceSequencesAsync() => Task.CompletedTask;

    public override async Task<bool> HasSchemaAsync() =>
        File.Exists(path) && await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'Licenses'") == 1;

    /// <summary>The table's own CREATE statements (columns, keys, foreign keys, indexes) under the scratch name.</summary>
    public override async Task CopyTableStructureAsync(string table, string scratch)
    {
        var ddl = await QueryAsync("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = @t AND sql IS NOT NULL ORDER BY type DESC",
            r => (Type: r.GetString(0), Name: r.GetString(1), Sql: r.GetString(2)), ("@t", table));
        var statements = ddl.Select(d => d.Type == "table"
            ? ReplaceFirst(d.Sql, Q(table), Q(scratch))
            : ReplaceFirst(ReplaceFirst(d.Sql, Q(d.Name), Q(scratch + "_" + d.Name)), "ON " + Q(table), "ON " + Q(scratch)));
        await ExecuteAsync(string.Join(";\n", statements));
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"Expected {what} in {text}.") : text[..at] + with + text[(at + what.Length)..];
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private sealed class Session(SqliteConnection connection, SqliteTransaction transaction) : IBulkSession
    {
        private readonly Dictionary<string, Sink> _sinks = new();

        public Task<IRowSink> TableAsync(Table table)
        {
            if (!_sinks.TryGetValue(table.Name, out var sink))
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"INSERT INTO {Q(table.Name)} ({string.Join(", ", table.Columns.Select(c => Q(c.Name)))}) " +
                                      $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i))})";
                for (var i = 0; i < table.Columns.Length; i++) command.Parameters.Add(new SqliteParameter("$p" + i, null));
                command.Prepare();
                _sinks[table.Name] = sink = new Sink(command);
            }
            return Task.FromResult<IRowSink>(sink);
        }

        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            foreach (var sink in _sinks.Values) await sink.Command.DisposeAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private sealed class Sink(SqliteCommand command) : IRowSink
    {
        public SqliteCommand Command => command;

        public ValueTask RowAsync(params object?[] values)
        {
            if (values.Length != command.Parameters.Count)
                throw new ArgumentException($"A row of {values.Length} values for {command.Parameters.Count} columns: {command.CommandText}");
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
            command.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // reused for the next batch of the session
    }
}

public sealed class PostgresBenchDatabase : BenchDatabase
{
    private readonly NpgsqlConnectionStringBuilder _server;
    private readonly string _database;
    private readonly bool _reused;
    private bool _created;

    /// <param name="reuse">A database on this server to use and keep (<c>--reuse-db</c>); created when missing.</param>
    public PostgresBenchDatabase(string serverConnection, string? reuse = null)
    {
        _server = new NpgsqlConnectionStringBuilder(serverConnection);
        if (string.IsNullOrEmpty(_server.Database)) _server.Database = "postgres";
        _database = reuse ?? "lma_bench_" + Guid.NewGuid().ToString("N")[..10];
        _reused = reuse is not null;
    }

    public override string AppProvider => "PostgreSql";
    public override string Location => $"database {_database} on {_server.Host}:{_server.Port}";
    public override string AppConnectionString => new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _database, MaxPoolSize = 100 }.ConnectionString;

    public override async Task CreateAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        if (_reused)
        {
            await using var exists = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @d", connection) { Parameters = { new("@d", _database) } };
            if ((long)(await exists.ExecuteScalarAsync())! > 0) return; // kept at the end: never dropped, so _created stays false
        }
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Q(_database)}", connection);
        await command.ExecuteNonQueryAsync();
        _created = !_reused;
    }

    protected override async Task<DbConnection> OpenAsync(bool pooled = false)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AppConnectionString) { CommandTimeout = 600 }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IBulkSession> BeginAsync(bool pooled = false)
    {
        var connection = (NpgsqlConnection)await OpenAsync(pooled);
        return new Session(connection, await connection.BeginTransactionAsync());
    }

    public override async Task AfterBulkLoadAsync()
    {
        await using var connection = await OpenAsync();
        await SetSequencesAsync(connection, ["Packages", "PackageVersions", "Accounts", .. PerEventTables]);
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.CommandTimeout = 0;
        await analyze.ExecuteNonQueryAsync();
    }

    public override async Task AdvanceSequencesAsync()
    {
        await using var connection = await OpenAsync();
        await SetSequencesAsync(connection, PerEventTables);
    }

    private static async Task SetSequencesAsync(DbConnection connection, IEnumerable<string> tables)
    {
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT setval(pg_get_serial_sequence('{Q(table)}', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM {Q(table)}), 1))";
            await command.ExecuteScalarAsync();
        }
    }

    public override async Task<bool> HasSchemaAsync() =>
        await ScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'Licenses'") == 1;

    /// <summary>LIKE ... INCLUDING ALL (columns, defaults, identity, keys, indexes) plus the foreign keys, which LIKE leaves out.</summary>
    public override async Task CopyTableStructureAsync(string table, string scratch)
    {
        var foreignKeys = await QueryAsync("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(@t AS regclass) AND contype = 'f'",
            r => $"ALTER TABLE {Q(scratch)} ADD CONSTRAINT {Q(scratch + "_" + r.GetString(0))} {r.GetString(1)}", ("@t", Q(table)));
        await ExecuteAsync(string.Join(";\n", [$"CREATE TABLE {Q(scratch)} (LIKE {Q(table)} INCLUDING ALL)", .. foreignKeys]));
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_created) return;
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Q(_database)} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Session(NpgsqlConnection connection, NpgsqlTransaction transaction) : IBulkSession
    {
        public async Task<IRowSink> TableAsync(Table table)
        {
            var importer = await connection.BeginBinaryImportAsync(
                $"COPY {Q(table.Name)} ({string.Join(", ", table.Columns.Select(c => Q(c.Name)))}) FROM STDIN (FORMAT BINARY)");
            return new Sink(importer, table);
        }

        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private sealed class Sink(NpgsqlBinaryImporter importer, Table table) : IRowSink
    {
        public async ValueTask RowAsync(params object?[] values)
        {
            if (values.Length != table.Columns.Length)
                throw new ArgumentException($"A row of {values.Length} values for the {table.Columns.Length} columns of {table.Name}.");
            await importer.StartRowAsync();
            for (var i = 0; i < values.Length; i++)
                if (values[i] is null) await importer.WriteNullAsync();
                else await importer.WriteAsync(values[i], table.Columns[i].Type);
        }

        public async ValueTask DisposeAsync()
        {
            await importer.CompleteAsync();
            await importer.DisposeAsync();
        }
    }
}
