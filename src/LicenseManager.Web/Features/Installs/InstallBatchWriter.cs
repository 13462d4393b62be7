using System.Collections.Concurrent;
using System.Data.Common;
using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace LicenseManager.Web.Features.Installs;

/// <summary>
/// Writes the bulk of an applied install batch set-based, beside EF, inside the batch's transaction: the new leads
/// and licenses (ids taken from the table's own sequence, then binary <c>COPY</c> on PostgreSQL or one prepared
/// INSERT per row on SQLite) and the batch's own log rows (state, hold, attempts, license). Those entries are then
/// marked saved, and the caller's <c>SaveChanges</c> writes the rest the usual way: licenses that changed (with their
/// field history, versions and status-change outbox rows), packages and versions.
/// Every column comes from the EF model and each value passes through the property's own value converter, so a
/// row written here reads back exactly as one EF wrote. New rows get the same audit stamp as SaveChanges gives
/// (<see cref="LicenseManagerDbContext.StampAdded"/>). SQL Server, and a batch that creates a package or a version
/// (an upload: rare, and its new rows would need the package's id first), are left to EF whole.
/// </summary>
internal static class InstallBatchWriter
{
    // The log row columns the processor changes.
    private static readonly string[] EventColumns =
    [
        nameof(InstallEvent.State), nameof(InstallEvent.HoldCode), nameof(InstallEvent.HoldReason), nameof(InstallEvent.Attempts),
        nameof(InstallEvent.ProcessedAt), nameof(InstallEvent.PackageKey), nameof(InstallEvent.LicenseKey),
    ];

    /// <returns>How many rows were written here (0 when EF writes the whole batch).</returns>
    public static async Task<int> WriteAsync(LicenseManagerDbContext db, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        if (!sqlite && !db.Database.IsNpgsql()) return 0;
        var tracker = db.ChangeTracker;
        tracker.DetectChanges();
        var entries = tracker.Entries().ToList();
        if (entries.Any(e => e.State == EntityState.Added && e.Entity is Package or PackageVersion)) return 0;

        var leads = entries.Where(e => e.State == EntityState.Added && e.Entity is Lead).ToList();
        var licenses = entries.Where(e => e.State == EntityState.Added && e.Entity is License).ToList();
        var events = entries.Where(e => e.State == EntityState.Modified && e.Entity is InstallEvent).ToList();
        db.StampAdded(leads.Concat(licenses));

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("The install batch is written inside the batch's transaction.");

        await AssignIdsAsync(connection, transaction, leads, ct);
        foreach (var license in licenses)
        {
            // The new license's lead is one of the new leads, now with its id.
            if (((License)license.Entity).Lead is { } lead) license.Property(nameof(License.LeadKey)).CurrentValue = lead.Id;
        }
        await AssignIdsAsync(connection, transaction, licenses, ct);
        foreach (var e in events)
        {
            var row = (InstallEvent)e.Entity;
            if (row.License is { } l) e.Property(nameof(InstallEvent.LicenseKey)).CurrentValue = l.Id;
            if (row.Package is { } p) e.Property(nameof(InstallEvent.PackageKey)).CurrentValue = p.Id;
        }

        if (sqlite)
        {
            await InsertSqliteAsync((SqliteConnection)connection, (SqliteTransaction)transaction, leads, ct);
            await InsertSqliteAsync((SqliteConnection)connection, (SqliteTransaction)transaction, licenses, ct);
            await UpdateEventsSqliteAsync((SqliteConnection)connection, (SqliteTransaction)transaction, events, ct);
        }
        else
        {
            await CopyPostgresAsync((NpgsqlConnection)connection, leads, ct);
            await CopyPostgresAsync((NpgsqlConnection)connection, licenses, ct);
            await UpdateEventsPostgresAsync((NpgsqlConnection)connection, events, ct);
        }

        // Saved: SaveChanges leaves them alone (and a later change to one of them is a normal update).
        foreach (var entry in leads.Concat(licenses).Concat(events))
        {
            entry.State = EntityState.Unchanged;
            entry.OriginalValues.SetValues(entry.CurrentValues);
        }
        return leads.Count + licenses.Count + events.Count;
    }

    private static async Task AssignIdsAsync(DbConnection connection, DbTransaction transaction, List<EntityEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var table = Tables.Of(entries[0].Metadata);
        var ids = new List<long>(entries.Count);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            if (connection is SqliteConnection)
            {
                // The batch holds SQLite's write lock: nobody else takes ids meanwhile. AUTOINCREMENT never reuses an id,
                // so start past the highest ever given (sqlite_sequence), not only past the highest still there.
                command.CommandText = $"SELECT MAX(COALESCE((SELECT MAX({table.Key}) FROM {table.Name}), 0), " +
                                      $"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table.RawName}'), 0))";
                var first = Convert.ToInt64(await command.ExecuteScalarAsync(ct)) + 1;
                for (var i = 0; i < entries.Count; i++) ids.Add(first + i);
            }
            else
            {
                command.CommandText = $"SELECT nextval(pg_get_serial_sequence('{table.Name.Replace("'", "''")}', '{table.RawKey}')) FROM generate_series(1, {entries.Count})";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
            }
        }
        for (var i = 0; i < entries.Count; i++) entries[i].Property(table.KeyProperty).CurrentValue = ids[i];
    }

    private static async Task InsertSqliteAsync(SqliteConnection connection, SqliteTransaction transaction, List<EntityEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var table = Tables.Of(entries[0].Metadata);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) " +
                             $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i))})";
        var parameters = table.Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
        insert.Prepare();
        foreach (var entry in entries)
        {
            for (var i = 0; i < table.Columns.Length; i++) parameters[i].Value = table.Columns[i].Value(entry) ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task CopyPostgresAsync(NpgsqlConnection connection, List<EntityEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var table = Tables.Of(entries[0].Metadata);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", ct);
        // Synchronous writes: they fill Npgsql's buffer and only wait when it is flushed (this is the processor's own
        // thread, not a request's); an await per value cost more than the values.
        var types = table.Columns.Select(Tables.Copy).ToArray();
        foreach (var entry in entries)
        {
            copy.StartRow();
            for (var i = 0; i < types.Length; i++)
            {
                if (table.Columns[i].Value(entry) is { } value) copy.Write(value, types[i]);
                else copy.WriteNull();
            }
        }
        await copy.CompleteAsync(ct);
    }

    private static async Task UpdateEventsSqliteAsync(SqliteConnection connection, SqliteTransaction transaction, List<EntityEntry> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var (table, columns) = EventUpdate(events[0].Metadata.Model);
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = $"UPDATE {table.Name} SET {string.Join(", ", columns.Select((c, i) => $"{c.Name} = $p{i}"))} WHERE {table.Key} = $id";
        var parameters = columns.Select((_, i) => update.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
        var id = update.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        update.Prepare();
        foreach (var entry in events)
        {
            for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Value(entry) ?? DBNull.Value;
            id.Value = entry.Property(table.KeyProperty).CurrentValue;
            if (await update.ExecuteNonQueryAsync(ct) != 1) throw new DbUpdateConcurrencyException($"Install event {id.Value} is gone.");
        }
    }

    private static async Task UpdateEventsPostgresAsync(NpgsqlConnection connection, List<EntityEntry> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var (table, columns) = EventUpdate(events[0].Metadata.Model);
        // One statement: the new values as arrays, joined to the rows by id.
        await using var update = new NpgsqlCommand(
            $"UPDATE {table.Name} AS t SET {string.Join(", ", columns.Select((c, i) => $"{c.Name} = x.p{i}"))} " +
            $"FROM unnest(@id, {string.Join(", ", columns.Select((_, i) => $"@p{i}"))}) AS x(id, {string.Join(", ", columns.Select((_, i) => $"p{i}"))}) " +
            $"WHERE t.{table.Key} = x.id", connection);
        update.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
            { Value = events.Select(e => (long)e.Property(table.KeyProperty).CurrentValue!).ToArray() });
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            var values = Array.CreateInstance(column.ProviderType, events.Count);
            for (var r = 0; r < events.Count; r++) values.SetValue(column.Value(events[r]), r);
            update.Parameters.Add(new NpgsqlParameter("p" + i, NpgsqlDbType.Array | Tables.Copy(column)) { Value = values });
        }
        if (await update.ExecuteNonQueryAsync(ct) != events.Count) throw new DbUpdateConcurrencyException("An install event of the batch is gone.");
    }

    private static (Tables.Table Table, Tables.Column[] Columns) EventUpdate(IModel model)
    {
        var table = Tables.Of(model.FindEntityType(typeof(InstallEvent))!);
        return (table, EventColumns.Select(p => table.Columns.Single(c => c.Property == p)).ToArray());
    }

    /// <summary>Table and column facts from the EF model, built once per model and entity type.</summary>
    private static class Tables
    {
        /// <param name="CopyType">The PostgreSQL type (null in a model of another provider).</param>
        /// <param name="ProviderType">The type of the value the database stores: nullable when the column is.</param>
        public sealed record Column(string Name, string Property, NpgsqlDbType? CopyType, Type ProviderType, Func<EntityEntry, object?> Value);

        public sealed record Table(string Name, string RawName, string Key, string RawKey, string KeyProperty, Column[] Columns);

        // Per model: a test process runs SQLite and PostgreSQL apps side by side, whose store types differ.
        private static readonly ConcurrentDictionary<(IModel, Type), Table> Known = new();

        public static Table Of(IEntityType entity) => Known.GetOrAdd((entity.Model, entity.ClrType), _ => Build(entity));

        private static Table Build(IEntityType entity)
        {
            var name = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var key = entity.FindPrimaryKey()!.Properties.Single();
            var columns = entity.GetProperties()
                .Where(p => p.ValueGenerated != ValueGenerated.OnAddOrUpdate) // computed by the database
                .Select(p => new Column(StoreNames.Quote(p.GetColumnName(store)!), p.Name, CopyType(p.GetColumnType(store)), ProviderType(p), ValueOf(p)))
                .ToArray();
            return new Table(StoreNames.Quote(name), name, StoreNames.Quote(key.GetColumnName(store)!), key.GetColumnName(store)!, key.Name, columns);
        }

        // The value as the database stores it: through the property's converter (UTC dates, enums as numbers). Read
        // through the model's compiled getter (a property entry per value costs more than the write itself).
        private static Func<EntityEntry, object?> ValueOf(IProperty property)
        {
            var converter = property.GetTypeMapping().Converter;
            var getter = property.IsShadowProperty() ? null : property.GetGetter();
            return entry =>
            {
                var value = getter is null ? entry.Property(property.Name).CurrentValue : getter.GetClrValueUsingContainingEntity(entry.Entity);
                return value is null || converter is null ? value : converter.ConvertToProvider(value);
            };
        }

        private static Type ProviderType(IProperty property)
        {
            var type = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
            type = Nullable.GetUnderlyingType(type) ?? type;
            return type.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(type) : type;
        }

        private static NpgsqlDbType? CopyType(string storeType) => storeType switch
        {
            "bigint" => NpgsqlDbType.Bigint,
            "integer" => NpgsqlDbType.Integer,
            "smallint" => NpgsqlDbType.Smallint,
            "boolean" => NpgsqlDbType.Boolean,
            "text" => NpgsqlDbType.Text,
            "date" => NpgsqlDbType.Date,
            "uuid" => NpgsqlDbType.Uuid,
            "numeric" => NpgsqlDbType.Numeric,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            _ when storeType.StartsWith("character varying", StringComparison.Ordinal) => NpgsqlDbType.Varchar,
            _ => null,
        };

        public static NpgsqlDbType Copy(Column column) => column.CopyType
            ?? throw new InvalidOperationException($"Column {column.Name} has a type the install batch writer does not write to PostgreSQL yet.");
    }
}
