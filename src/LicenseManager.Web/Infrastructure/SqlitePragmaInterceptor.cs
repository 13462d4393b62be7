using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LicenseManager.Web.Infrastructure;

/// <summary>SQLite per-connection settings: foreign keys on (EF does this too) and a sane synchronous level for WAL.</summary>
public sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    // busy_timeout: wait for the write lock inside SQLite (it retries within milliseconds) instead of failing straight
    // to Microsoft.Data.Sqlite's managed retry, which sleeps 150 ms per attempt and starves concurrent writers.
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
