using System.Data;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// The session locks the databases give, named once for the singleton leases and the start-up lock: a PostgreSQL
/// advisory lock (a 64-bit key derived from the name) and a SQL Server application lock (resource "LicenseManager:name"),
/// both held by the connection's session and freed by the server when it ends.
/// </summary>
internal static class DatabaseLocks
{
    /// <summary>A stable 64-bit advisory-lock key for a lock name.</summary>
    public static long KeyOf(string name) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(ResourceOf(name))), 0);

    /// <summary>The sp_getapplock resource of a lock name.</summary>
    public static string ResourceOf(string name) => "LicenseManager:" + name;

    /// <summary>pg_try_advisory_lock, or with <paramref name="wait"/> pg_advisory_lock (waiting as long as it takes).</summary>
    public static async Task<bool> PostgresLockAsync(NpgsqlConnection connection, string name, bool wait, CancellationToken ct)
    {
        await using var take = new NpgsqlCommand(wait ? "SELECT pg_advisory_lock(@key)" : "SELECT pg_try_advisory_lock(@key)", connection);
        if (wait) take.CommandTimeout = 0;
        take.Parameters.AddWithValue("key", KeyOf(name));
        var result = await take.ExecuteScalarAsync(ct);
        return wait || result is true;
    }

    /// <summary>
    /// sp_getapplock with a session owner; its return value: 0 granted, 1 granted after waiting, negative when not
    /// granted (timeout, deadlock, error). <paramref name="lockTimeoutMs"/>: 0 to try once, -1 to wait without end.
    /// </summary>
    public static async Task<int> SqlServerLockAsync(SqlConnection connection, string name, int lockTimeoutMs, int commandTimeoutSeconds, CancellationToken ct)
    {
        await using var take = new SqlCommand("sp_getapplock", connection) { CommandType = CommandType.StoredProcedure, CommandTimeout = commandTimeoutSeconds };
        take.Parameters.AddWithValue("@Resource", ResourceOf(name));
        take.Parameters.AddWithValue("@LockMode", "Exclusive");
        take.Parameters.AddWithValue("@LockOwner", "Session");
        take.Parameters.AddWithValue("@LockTimeout", lockTimeoutMs);
        var result = take.Parameters.Add("@Result", SqlDbType.Int);
        result.Direction = ParameterDirection.ReturnValue;
        await take.ExecuteNonQueryAsync(ct);
        return result.Value is int granted ? granted : -999;
    }
}
