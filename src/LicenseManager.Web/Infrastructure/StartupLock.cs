using LicenseManager.Core.Data;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// The database lock every node takes before migrating and seeding, so nodes started together do it one after the
/// other: the first does the work, the others wait, then find nothing left to do. Held by a connection of its own and
/// freed by the server when that connection ends, so a node killed while migrating never blocks the others.
/// PostgreSQL: <c>pg_advisory_lock</c> on the target database, which is created first when it doesn't exist yet
/// (another node creating it at the same moment is fine). SQL Server: <c>sp_getapplock</c> with a session owner (not
/// exercised by the test suite: there is no SQL Server here; it follows sp_getapplock's documented contract).
/// SQLite: nothing here; EF's migration lock covers the migrations and the seeds tolerate a concurrent seeder.
/// </summary>
public sealed class StartupLock : IAsyncDisposable
{
    private const string Name = "start-up";
    private readonly IAsyncDisposable? _connection;

    private StartupLock(IAsyncDisposable? connection) => _connection = connection;

    public static async Task<StartupLock> AcquireAsync(DatabaseSettings database, ILogger logger, CancellationToken ct) => database.Provider switch
    {
        DatabaseProvider.PostgreSql => new StartupLock(await AcquirePostgresAsync(database.ConnectionString, logger, ct)),
        DatabaseProvider.SqlServer => new StartupLock(await AcquireSqlServerAsync(database.ConnectionString, logger, ct)),
        _ => new StartupLock(null),
    };

    private static async Task<NpgsqlConnection> AcquirePostgresAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "LicenseManager start-up", MaxAutoPrepare = 0 };
        var connection = await OpenOrCreatePostgresAsync(builder, logger, ct);
        try
        {
            if (!await DatabaseLocks.PostgresLockAsync(connection, Name, wait: false, ct))
            {
                logger.LogInformation("Another node is migrating or seeding the database; waiting for it");
                await DatabaseLocks.PostgresLockAsync(connection, Name, wait: true, ct);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<NpgsqlConnection> OpenOrCreatePostgresAsync(NpgsqlConnectionStringBuilder builder, ILogger logger, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (PostgresException e) when (e.SqlState == "3D000")
        {
            await connection.DisposeAsync();
        }
        // The database doesn't exist yet: create it from the server's maintenance database. Another node may be
        // creating it at the same moment: "already exists" (or the catalogue's unique index) means it did.
        var name = builder.Database ?? builder.Username!; // PostgreSQL's default database is the user's name
        var server = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "postgres" };
        try
        {
            await using var maintenance = new NpgsqlConnection(server.ConnectionString);
            await maintenance.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", maintenance) { CommandTimeout = 0 };
            await create.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Created the PostgreSQL database {Database}", name);
        }
        catch (PostgresException e) when (e.SqlState is "42P04" or "23505") { /* created by another node */ }
        catch (PostgresException e)
        {
            throw new DatabaseStartupException($"creating the PostgreSql database \"{name}\" failed: {e.Message}", e);
        }
        connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<SqlConnection> AcquireSqlServerAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        var builder = new SqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "LicenseManager start-up" };
        var connection = new SqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
        }
        catch (SqlException e) when (e.Number == 4060)
        {
            await connection.DisposeAsync();
            var name = builder.InitialCatalog;
            try
            {
                await using var master = new SqlConnection(new SqlConnectionStringBuilder(builder.ConnectionString) { InitialCatalog = "master" }.ConnectionString);
                await master.OpenAsync(ct);
                await using var create = new SqlCommand("IF DB_ID(@name) IS NULL BEGIN DECLARE @create nvarchar(300) = N'CREATE DATABASE ' + QUOTENAME(@name); EXEC sp_executesql @create; END", master) { CommandTimeout = 0 };
                create.Parameters.AddWithValue("@name", name);
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (SqlException created) when (created.Number == 1801) { /* created by another node */ }
            catch (SqlException failed)
            {
                throw new DatabaseStartupException($"creating the SqlServer database \"{name}\" failed: {failed.Message}", failed);
            }
            connection = new SqlConnection(builder.ConnectionString);
            await connection.OpenAsync(ct);
        }
        try
        {
            logger.LogDebug("Taking the start-up lock");
            // Wait as long as the other node migrates.
            var granted = await DatabaseLocks.SqlServerLockAsync(connection, Name, lockTimeoutMs: -1, commandTimeoutSeconds: 0, ct);
            if (granted < 0)
                throw new DatabaseStartupException($"taking the SqlServer start-up lock failed (sp_getapplock returned {granted})");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Closing the lock's own connection ends its session, and with it the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
