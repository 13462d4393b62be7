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
    public abstract Task<IBulkSession> BeginAsync();
    protected abstract Task<DbConnection> OpenAsync();
    /// <summary>After explicit ids were written: identity sequences past them, planner statistics fresh.</summary>
    public abstract Task AfterBulkLoadAsync();
    public abstract ValueTask DisposeAsync();

    public static BenchDatabase For(BenchmarkOptions o, string workDirectory) => o.Provider switch
    {
        Provider.Sqlite => new SqliteBenchDatabase(Path.Combine(workDirectory, "licensemanager.db")),
        _ => new PostgresBenchDatabase(o.PostgresConnection!),
    };

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

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
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

    /// <summary>Accept-to-license per event: the license's creation minus the event's receipt, in milliseconds.</summary>
    public Task<List<double>> AcceptToLicenseMillisecondsAsync(long packageKey) => QueryAsync(
        """SELECT e."ReceivedAt", l."CreatedAt" FROM "InstallEvents" e JOIN "Licenses" l ON l."Id" = e."LicenseKey" WHERE e."PackageKey" = @p""",
        r => (AsUtc(r.GetDateTime(1)) - AsUtc(r.GetDateTime(0))).TotalMilliseconds, ("@p", packageKey));

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

    public override Task CreateAsync() => Task.CompletedTask; // the app creates the file when it migrates

    protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IBulkSession> BeginAsync()
    {
        var connection = (SqliteConnection)await OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
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
    private readonly string _database = "lma_bench_" + Guid.NewGuid().ToString("N")[..10];
    private bool _created;

    public PostgresBenchDatabase(string serverConnection)
    {
        _server = new NpgsqlConnectionStringBuilder(serverConnection);
        if (string.IsNullOrEmpty(_server.Database)) _server.Database = "postgres";
    }

    public override string AppProvider => "PostgreSql";
    public override string AppConnectionString => new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _database, MaxPoolSize = 100 }.ConnectionString;

    public override async Task CreateAsync()
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Q(_database)}", connection);
        await command.ExecuteNonQueryAsync();
        _created = true;
    }

    protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AppConnectionString) { CommandTimeout = 600 }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override async Task<IBulkSession> BeginAsync()
    {
        var connection = (NpgsqlConnection)await OpenAsync();
        return new Session(connection, await connection.BeginTransactionAsync());
    }

    public override async Task AfterBulkLoadAsync()
    {
        await using var connection = await OpenAsync();
        foreach (var table in new[] { "Packages", "PackageVersions", "Accounts", "Leads", "Licenses", "InstallEvents" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT setval(pg_get_serial_sequence('{Q(table)}', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM {Q(table)}), 1))";
            await command.ExecuteScalarAsync();
        }
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.CommandTimeout = 0;
        await analyze.ExecuteNonQueryAsync();
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
