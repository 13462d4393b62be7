using LicenseManager.Core.Data;
using LicenseManager.Core.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using NpgsqlTypes;

namespace LicenseManager.Benchmarks;

/// <summary>
/// Writes the app's tables directly (after the app migrated the schema): the data set for the bulk load, and the
/// install burst's rows for the same-run write limit. Each table lists the entity properties it writes, in the order
/// of the values in a row; table names, column names and the PostgreSQL types for binary COPY come from the app's EF
/// model, so they follow a rename in the model, and a column the model requires that is not written stops the run
/// before it starts (see <see cref="Of{TEntity}"/>). Enums are ints.
/// </summary>
public static class BulkWriter
{
    // The PostgreSQL form of the model: its store types give the COPY types; names are the same for every provider.
    private static readonly IModel Model = LoadModel();

    private static IModel LoadModel()
    {
        var options = new DbContextOptionsBuilder<LicenseManagerDbContext>();
        LmaDatabase.Configure(options, DatabaseProvider.PostgreSql, "Host=localhost;Database=unused");
        using var db = new LicenseManagerDbContext(options.Options);
        // The design-time model keeps the column facts (nullability, defaults, store types) the runtime model drops.
        return db.GetService<IDesignTimeModel>().Model;
    }

    // Static fields initialise in this order: these come before the tables built from them.
    // Read as annotations: the GetDefaultValue()/GetDefaultValueSql() helpers let Licenses.SeatsAssignedByApi (NOT NULL,
    // no default) pass as not required when this list left it out.
    private static readonly string[] DefaultAnnotations =
        [RelationalAnnotationNames.DefaultValue, RelationalAnnotationNames.DefaultValueSql, RelationalAnnotationNames.ComputedColumnSql];

    private static readonly string[] Audit =
        [nameof(IAudited.CreatedAt), nameof(IAudited.CreatedBy), nameof(IAudited.LastModifiedAt), nameof(IAudited.LastModifiedBy)];

    public static readonly Table Packages = Of<Package>([nameof(Package.Id), nameof(Package.PackageId), nameof(Package.Name),
        nameof(Package.DeveloperName), nameof(Package.DeveloperOrgId), nameof(Package.LatestVersion), nameof(Package.ReleaseDate),
        nameof(Package.IsAssociated), nameof(Package.AssociatedAt), nameof(Package.DefaultStatus), nameof(Package.DefaultSeats),
        nameof(Package.DefaultLengthDays), nameof(Package.Version), .. Audit]);

    public static readonly Table Versions = Of<PackageVersion>([nameof(PackageVersion.Id), nameof(PackageVersion.PackageKey),
        nameof(PackageVersion.VersionId), nameof(PackageVersion.Name), nameof(PackageVersion.VersionNumber), nameof(PackageVersion.VersionSortKey),
        nameof(PackageVersion.Beta), nameof(PackageVersion.ReleaseDate), .. Audit]);

    public static readonly Table Accounts = Of<Account>([nameof(Account.Id), nameof(Account.Name), nameof(Account.Phone),
        nameof(Account.Website), nameof(Account.State), nameof(Account.Country), .. Audit]);

    public static readonly Table Leads = Of<Lead>([nameof(Lead.Id), nameof(Lead.FirstName), nameof(Lead.LastName), nameof(Lead.Company),
        nameof(Lead.Email), nameof(Lead.LeadSource), nameof(Lead.IsConverted), nameof(Lead.ConvertedAt), nameof(Lead.ConvertedAccountKey), .. Audit]);

    public static readonly Table Licenses = Of<License>([nameof(License.Id), nameof(License.PackageKey), nameof(License.PackageVersionKey),
        nameof(License.PackageVersionNumber), nameof(License.Status), nameof(License.HasBeenActive), nameof(License.Seats),
        nameof(License.ExpirationDate), nameof(License.InstallDate), nameof(License.SubscriberOrgId), nameof(License.OrgName),
        nameof(License.Instance), nameof(License.OrgEdition), nameof(License.OrgStatus), nameof(License.OrgExpirationDate),
        nameof(License.IsSandbox), nameof(License.ReportedUsedLicenses), nameof(License.InformationCurrentAsOf), nameof(License.SeatsAssignedByApi),
        nameof(License.LastEventAt), nameof(License.LeadKey), nameof(License.AccountKey), nameof(License.Version), .. Audit]);

    public static readonly Table InstallEvents = Of<InstallEvent>([nameof(InstallEvent.Id), nameof(InstallEvent.EventId), nameof(InstallEvent.Type),
        nameof(InstallEvent.OccurredAt), nameof(InstallEvent.ReceivedAt), nameof(InstallEvent.Payload), nameof(InstallEvent.PackageVersionId),
        nameof(InstallEvent.OrgId), nameof(InstallEvent.PackageKey), nameof(InstallEvent.State), nameof(InstallEvent.Attempts),
        nameof(InstallEvent.ProcessedAt), nameof(InstallEvent.LicenseKey)]);

    /// <summary>License field history: the raw write limit and the naive baseline write as many rows per event as the app did.</summary>
    public static readonly Table History = Of<LicenseFieldChange>([nameof(LicenseFieldChange.Id), nameof(LicenseFieldChange.LicenseKey),
        nameof(LicenseFieldChange.ChangedAt), nameof(LicenseFieldChange.ChangedBy), nameof(LicenseFieldChange.Field),
        nameof(LicenseFieldChange.OldValue), nameof(LicenseFieldChange.NewValue)]);

    /// <summary>Every table the harness writes, in the order the bulk load fills them (history only per event, after it).</summary>
    public static IReadOnlyList<Table> Tables => [Packages, Versions, Accounts, Leads, Licenses, InstallEvents, History];

    private static readonly string[] HistoryFields = ["Status", "Seats", "Expiration Date", "Installed Version", "Org Status", "Lead"];

    /// <summary>
    /// The table of <typeparamref name="TEntity"/> with the columns of these properties. Throws when the model requires a
    /// column this list leaves out (NOT NULL and no database default): the write would fail, or, worse, pass on a
    /// database whose history left a default behind and fail on a fresh one.
    /// </summary>
    private static Table Of<TEntity>(string[] properties)
    {
        var entity = Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var name = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped to a table.");
        var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
        var columns = properties
            .Select(p => entity.FindProperty(p) ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{p} is not in the model."))
            .Select(p => new Column(p.GetColumnName(store)!, CopyType(p, p.GetColumnType(store))))
            .ToArray();
        var missing = entity.GetProperties()
            .Where(p => !properties.Contains(p.Name) && IsRequired(p, store))
            .Select(p => p.GetColumnName(store))
            .ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"The bulk writer writes {name} without {string.Join(", ", missing)}, which the model requires " +
                                                "(NOT NULL, no default): add them to its table in BulkWriter.cs and to the rows it writes.");
        return new Table(name, columns);
    }

    /// <summary>A column an INSERT naming other columns cannot leave out.</summary>
    public static bool IsRequired(IReadOnlyProperty property, StoreObjectIdentifier store) =>
        !property.IsColumnNullable(store) && !DefaultAnnotations.Any(a => property.FindAnnotation(a) is not null);

    private static NpgsqlDbType CopyType(IReadOnlyProperty property, string storeType) => storeType switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "boolean" => NpgsqlDbType.Boolean,
        "text" => NpgsqlDbType.Text,
        "date" => NpgsqlDbType.Date,
        "timestamp with time zone" => NpgsqlDbType.TimestampTz,
        _ when storeType.StartsWith("character varying", StringComparison.Ordinal) => NpgsqlDbType.Varchar,
        _ => throw new InvalidOperationException($"{property.DeclaringType.ClrType.Name}.{property.Name} is {storeType}, a type the bulk writer does not write yet."),
    };

    /// <summary>Packages (associated, Trial for 30 days by default) and their versions.</summary>
    public static async Task<int> WritePackagesAsync(IBulkSession session, DataSet data)
    {
        var now = DataSet.Now;
        var rows = 0;
        await using (var packages = await session.TableAsync(Packages))
            foreach (var p in data.AllPackages)
            {
                await packages.RowAsync(p.Key, p.PackageId, p.Name, "Bench ISV", "00D000000000001AAA", p.VersionNumber, DataSet.Today.AddDays(-800),
                    true, now, 0, null, 30, 0, now, DataSet.System, now, DataSet.System);
                rows++;
            }
        await using (var versions = await session.TableAsync(Versions))
            foreach (var p in data.AllPackages)
            {
                var parts = p.VersionNumber.Split('.').Select(long.Parse).ToArray();
                await versions.RowAsync(p.VersionKey, p.Key, p.VersionId, $"{p.Name} {p.VersionNumber}", p.VersionNumber,
                    (parts[0] << 48) | (parts[1] << 32) | (parts[2] << 16), false, DataSet.Today.AddDays(-800), now, DataSet.System, now, DataSet.System);
                rows++;
            }
        return rows;
    }

    public static async Task<int> WriteAccountsAsync(IBulkSession session, int count)
    {
        var now = DataSet.Now;
        await using var accounts = await session.TableAsync(Accounts);
        for (var i = 1; i <= count; i++)
            await accounts.RowAsync((long)i, $"{DataSet.Words[i % 48]} {DataSet.Kinds[i % 10]} Group {i}", "+1 555 0100", $"https://account{i}.example.com",
                "CA", "US", now, "admin@bench.local", now, "admin@bench.local");
        return count;
    }

    /// <summary>
    /// Writes licenses with their leads and installation log (an install row each, plus an uninstall row for uninstalled
    /// ones), as the processor would have left them: events Done, pointing at their license.
    /// </summary>
    /// <param name="uninstallIdBase">Id of the first uninstall log row; install rows take the license's id.</param>
    /// <param name="historyPerLicense">Field history rows per license (the raw write limit writes as many as the app did per install).</param>
    /// <param name="historyIdBase">Id of the first history row; a license's rows follow at <c>historyIdBase + Index * historyPerLicense</c>.</param>
    public static async Task<int> WriteLicensesAsync(IBulkSession session, IReadOnlyList<LicenseRow> rows, long uninstallIdBase, string eventPrefix, bool uninstalls = true,
        int historyPerLicense = 0, long historyIdBase = 0)
    {
        var now = DataSet.Now;
        await using (var leads = await session.TableAsync(Leads))
            foreach (var r in rows)
                await leads.RowAsync(r.Id, r.FirstName, r.LastName, r.OrgName, r.Email, "Package Installation", false, null, null,
                    r.InstalledAt, DataSet.System, r.InstalledAt, DataSet.System);
        await using (var licenses = await session.TableAsync(Licenses))
            foreach (var r in rows)
                await licenses.RowAsync(r.Id, r.Package.Key, r.Package.VersionKey, r.Package.VersionNumber, r.Status, r.Status is 1 or 2,
                    r.Seats, r.Expiration, r.InstalledAt, r.OrgId, r.OrgName, "NA1", r.Edition, r.OrgStatus, null, r.Sandbox, r.Used,
                    r.LastEventAt, false, r.LastEventAt, r.Id, r.AccountKey, 0,
                    r.InstalledAt, DataSet.System, r.InstalledAt, DataSet.System);
        var written = rows.Count * 3;
        await using (var events = await session.TableAsync(InstallEvents))
            foreach (var r in rows)
            {
                var id = $"{eventPrefix}-{r.Index}";
                await events.RowAsync(r.Id, id, 1, r.InstalledAt, r.InstalledAt, r.InstallPayload(id), r.Package.VersionId, r.OrgId, r.Package.Key,
                    1, 1, r.InstalledAt, r.Id);
                if (r.Status != 3 || !uninstalls) continue;
                var uninstalledAt = r.InstalledAt.AddDays(1);
                var uid = $"{eventPrefix}-{r.Index}-u";
                await events.RowAsync(uninstallIdBase + r.Index, uid, 3, uninstalledAt, uninstalledAt, r.UninstallPayload(uid, uninstalledAt),
                    r.Package.VersionId, r.OrgId, r.Package.Key, 1, 1, uninstalledAt, r.Id);
                written++;
            }
        if (historyPerLicense > 0)
            await using (var history = await session.TableAsync(History))
                foreach (var r in rows)
                    for (var k = 0; k < historyPerLicense; k++)
                    {
                        await history.RowAsync(historyIdBase + (long)r.Index * historyPerLicense + k, r.Id, r.InstalledAt, DataSet.System,
                            HistoryFields[k % HistoryFields.Length], null, k == 0 ? "Active" : r.OrgName);
                        written++;
                    }
        return written;
    }
}
