using System.Collections.Concurrent;
using System.Data.Common;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using LicenseManager.Web.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LicenseManager.Web.Features.Licenses;

/// <summary>A license as the check reads it, with whether the asked-about user holds one of its seats.</summary>
public sealed record LicenseCheckRow(long Id, LicenseStatus Status, int? Seats, DateOnly? ExpirationDate, int? ReportedUsedLicenses,
    string PackageVersionNumber, bool HoldsSeat);

/// <summary>
/// The license check's two reads: the license of a package and org (with the user's seat), and a user's seat alone.
/// The check is the hottest endpoint, and on a cache miss a DbContext per request (a DI scope, the context, its
/// connection and interceptors, the query pipeline) cost more than the query itself: on SQLite and PostgreSQL these
/// reads are one prepared ADO.NET command on the provider's own pooled connections. SQL Server keeps EF's compiled
/// queries (<see cref="EfCoreReads"/>), as does the agreement test that holds the SQL here to the model.
/// </summary>
public abstract class LicenseCheckReads : IAsyncDisposable
{
    public abstract Task<LicenseCheckRow?> FindLicenseAsync(string packageId, string orgId, string userId, CancellationToken ct);

    public abstract Task<bool> HoldsSeatAsync(long licenseKey, string userId, CancellationToken ct);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static LicenseCheckReads For(DatabaseSettings settings, IServiceScopeFactory scopes) => settings.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteReads(settings.ConnectionString),
        DatabaseProvider.PostgreSql => new PostgreSqlReads(settings.ConnectionString),
        _ => new EfCoreReads(scopes),
    };

    // The same statements as the EF queries in EfCoreReads: the license by its unique (package, org) index, the seat by
    // the unique (license, user) index. Column types are the model's: Status an integer, ExpirationDate a date (text
    // 'yyyy-MM-dd' on SQLite, which Microsoft.Data.Sqlite reads as DateOnly).
    private const string FindLicenseSql = """
        SELECT l."Id", l."Status", l."Seats", l."ExpirationDate", l."ReportedUsedLicenses", l."PackageVersionNumber",
               l."Seats" IS NOT NULL AND EXISTS (SELECT 1 FROM "SeatAssignments" AS s WHERE s."LicenseKey" = l."Id" AND s."SubscriberUserId" = @user)
        FROM "Licenses" AS l
        INNER JOIN "Packages" AS p ON l."PackageKey" = p."Id"
        WHERE p."PackageId" = @package AND l."SubscriberOrgId" = @org
        LIMIT 1
        """;

    private const string HoldsSeatSql = """
        SELECT EXISTS (SELECT 1 FROM "SeatAssignments" AS s WHERE s."LicenseKey" = @license AND s."SubscriberUserId" = @user)
        """;

    private static LicenseCheckRow ReadRow(DbDataReader r) => new(
        r.GetInt64(0),
        (LicenseStatus)r.GetInt32(1),
        r.IsDBNull(2) ? null : r.GetInt32(2),
        r.IsDBNull(3) ? null : r.GetFieldValue<DateOnly>(3),
        r.IsDBNull(4) ? null : r.GetInt32(4),
        r.GetString(5),
        r.GetBoolean(6));

    /// <summary>
    /// SQLite: open connections, each with both statements prepared once, lent to one check at a time. Opening a
    /// pooled SqliteConnection and preparing the statement per check is what the EF path paid on top of the query.
    /// Reads only: these connections never write, and a statement is reset after each read, so none holds a read
    /// transaction (or the WAL checkpoint) open between checks.
    /// </summary>
    private sealed class SqliteReads(string connectionString) : LicenseCheckReads
    {
        // Enough for every check in flight on a busy 2-core node; beyond it a connection is closed after use, not kept.
        private static readonly int MaxIdle = Math.Max(8, Environment.ProcessorCount * 4);
        private readonly ConcurrentBag<Lease> _idle = [];
        private int _disposed;

        private sealed class Lease : IDisposable
        {
            public readonly SqliteConnection Connection;
            public readonly SqliteCommand FindLicense;
            public readonly SqliteParameter Package, Org, User;
            public readonly SqliteCommand HoldsSeat;
            public readonly SqliteParameter SeatLicense, SeatUser;

            public Lease(string connectionString)
            {
                Connection = new SqliteConnection(connectionString);
                Connection.Open();
                using (var pragmas = Connection.CreateCommand())
                {
                    // busy_timeout as SqlitePragmaInterceptor sets it for EF's connections; query_only: this connection
                    // cannot write, whatever runs on it (design note 7).
                    pragmas.CommandText = "PRAGMA busy_timeout=10000; PRAGMA query_only=1;";
                    pragmas.ExecuteNonQuery();
                }
                FindLicense = Connection.CreateCommand();
                FindLicense.CommandText = FindLicenseSql;
                Package = FindLicense.Parameters.Add("@package", SqliteType.Text);
                Org = FindLicense.Parameters.Add("@org", SqliteType.Text);
                User = FindLicense.Parameters.Add("@user", SqliteType.Text);
                FindLicense.Prepare();
                HoldsSeat = Connection.CreateCommand();
                HoldsSeat.CommandText = HoldsSeatSql;
                SeatLicense = HoldsSeat.Parameters.Add("@license", SqliteType.Integer);
                SeatUser = HoldsSeat.Parameters.Add("@user", SqliteType.Text);
                HoldsSeat.Prepare();
            }

            public void Dispose()
            {
                FindLicense.Dispose();
                HoldsSeat.Dispose();
                Connection.Dispose(); // back to Microsoft.Data.Sqlite's pool, which the host's shutdown (or a test) clears
            }
        }

        private Lease Rent() => _idle.TryTake(out var lease) ? lease : new Lease(connectionString);

        private void Return(Lease lease)
        {
            if (Volatile.Read(ref _disposed) == 0 && _idle.Count < MaxIdle) _idle.Add(lease);
            else lease.Dispose();
        }

        // Microsoft.Data.Sqlite runs every command synchronously (its async methods complete before they return), so
        // these are synchronous too: an index lookup of microseconds, not worth a state machine.
        public override Task<LicenseCheckRow?> FindLicenseAsync(string packageId, string orgId, string userId, CancellationToken ct)
        {
            var lease = Rent();
            var keep = false;
            try
            {
                lease.Package.Value = packageId;
                lease.Org.Value = orgId;
                lease.User.Value = userId;
                LicenseCheckRow? row;
                using (var reader = lease.FindLicense.ExecuteReader())
                    row = reader.Read() ? ReadRow(reader) : null;
                keep = true;
                return Task.FromResult(row);
            }
            finally
            {
                if (keep) Return(lease);
                else lease.Dispose(); // a connection that failed mid-read is not lent again
            }
        }

        public override Task<bool> HoldsSeatAsync(long licenseKey, string userId, CancellationToken ct)
        {
            var lease = Rent();
            var keep = false;
            try
            {
                lease.SeatLicense.Value = licenseKey;
                lease.SeatUser.Value = userId;
                var holds = Convert.ToInt64(lease.HoldsSeat.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
                keep = true;
                return Task.FromResult(holds);
            }
            finally
            {
                if (keep) Return(lease);
                else lease.Dispose();
            }
        }

        public override ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref _disposed, 1);
            while (_idle.TryTake(out var lease)) lease.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// PostgreSQL: a data source of its own for the check, with Npgsql's multiplexing: the commands of concurrent checks
    /// are written together onto a few connections and PostgreSQL answers them in one go, instead of a connection, a
    /// round trip and a backend wake-up per check. Its statements stay prepared on those connections (Max Auto
    /// Prepare, DatabaseSetup), so a check is a Bind/Execute of an already planned statement. Multiplexing suits only
    /// commands outside a transaction and needing no session state (advisory locks, for one, need their own
    /// connection), which is why the rest of the app keeps EF's pool; this pool is small: <see cref="MaxConnections"/>.
    /// </summary>
    private sealed class PostgreSqlReads : LicenseCheckReads
    {
        /// <summary>The check's connections per node, on top of the app's own pool.</summary>
        public static readonly int MaxConnections = Math.Max(4, Environment.ProcessorCount * 2);

        private readonly NpgsqlDataSource _source;

        public PostgreSqlReads(string connectionString)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.Multiplexing = true;
            builder.ConnectionStringBuilder.MaxPoolSize = MaxConnections;
            builder.ConnectionStringBuilder.MinPoolSize = 0;
            builder.ConnectionStringBuilder.Enlist = false;
            _source = builder.Build();
        }

        public override async Task<LicenseCheckRow?> FindLicenseAsync(string packageId, string orgId, string userId, CancellationToken ct)
        {
            await using var command = _source.CreateCommand(FindLicenseSql);
            command.Parameters.Add(new NpgsqlParameter<string>("package", packageId));
            command.Parameters.Add(new NpgsqlParameter<string>("org", orgId));
            command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct);
            return await reader.ReadAsync(ct) ? ReadRow(reader) : null;
        }

        public override async Task<bool> HoldsSeatAsync(long licenseKey, string userId, CancellationToken ct)
        {
            await using var command = _source.CreateCommand(HoldsSeatSql);
            command.Parameters.Add(new NpgsqlParameter<long>("license", licenseKey));
            command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
            return (bool)(await command.ExecuteScalarAsync(ct))!;
        }

        public override ValueTask DisposeAsync() => _source.DisposeAsync();
    }

    /// <summary>
    /// SQL Server (and the reference the ADO.NET reads are tested against): EF's compiled queries, a context per read.
    /// Compiled once per app (a compiled query is bound to one model, and so to one database provider).
    /// </summary>
    public sealed class EfCoreReads(IServiceScopeFactory scopes) : LicenseCheckReads
    {
        private readonly Func<LicenseManagerDbContext, string, string, string, CancellationToken, Task<LicenseCheckRow?>> _findLicense =
            EF.CompileAsyncQuery((LicenseManagerDbContext db, string packageId, string orgId, string userId, CancellationToken ct) => db.Licenses.AsNoTracking()
                .Where(x => x.Package.PackageId == packageId && x.SubscriberOrgId == orgId)
                .Select(x => new LicenseCheckRow(x.Id, x.Status, x.Seats, x.ExpirationDate, x.ReportedUsedLicenses, x.PackageVersionNumber,
                    x.Seats != null && db.SeatAssignments.Any(s => s.LicenseKey == x.Id && s.SubscriberUserId == userId)))
                .FirstOrDefault());

        private readonly Func<LicenseManagerDbContext, long, string, CancellationToken, Task<bool>> _holdsSeat =
            EF.CompileAsyncQuery((LicenseManagerDbContext db, long licenseKey, string userId, CancellationToken ct) =>
                db.SeatAssignments.Any(s => s.LicenseKey == licenseKey && s.SubscriberUserId == userId));

        public override async Task<LicenseCheckRow?> FindLicenseAsync(string packageId, string orgId, string userId, CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            return await _findLicense(scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>(), packageId, orgId, userId, ct);
        }

        public override async Task<bool> HoldsSeatAsync(long licenseKey, string userId, CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            return await _holdsSeat(scope.ServiceProvider.GetRequiredService<LicenseManagerDbContext>(), licenseKey, userId, ct);
        }
    }
}
