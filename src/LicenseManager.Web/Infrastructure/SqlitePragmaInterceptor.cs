using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LicenseManager.Web.Infrastructure;

/// <summary>SQLite per-connection settings: foreign keys on (EF does this too) and a sane synchronous level for WAL.</summary>
public sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    // busy_timeout: wait for the write lock inside SQLite (it retries within milliseconds) instead of failing straight
    // to Microsoft.Data.Sqlite's managed retry, which sleeps 150 ms per attempt and starves concurrent writers.
    public const string Synchronous = "PRAGMA synchronous=NORMAL;";
    private const string Pragmas = Synchronous + " PRAGMA busy_timeout=10000;";

    // Pooled SqliteConnections reuse the native connection, whose settings stay: set them once per native connection,
    // not at every open (at thousands of short queries a second, the statements and their handles add up).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Prepared = new();

    private static bool IsNew(DbConnection connection) =>
        connection is not Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } || !Prepared.TryGetValue(handle, out _);

    private static void Done(DbConnection connection)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle }) Prepared.AddOrUpdate(handle, Prepared);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!IsNew(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Done(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!IsNew(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Done(connection);
    }
}
