using NpgsqlTypes;

namespace LicenseManager.Benchmarks;

/// <summary>
/// Writes the app's tables directly (after the app migrated the schema): the data set for the bulk load, and the
/// install burst's rows for the same-run write limit. Column names are the entity property names, enums are ints.
/// </summary>
public static class BulkWriter
{
    private static Column C(string name, NpgsqlDbType type) => new(name, type);
    private const NpgsqlDbType Big = NpgsqlDbType.Bigint, Int = NpgsqlDbType.Integer, Str = NpgsqlDbType.Varchar, Text = NpgsqlDbType.Text,
        Ts = NpgsqlDbType.TimestampTz, Date = NpgsqlDbType.Date, Bool = NpgsqlDbType.Boolean;

    private static readonly Column[] Audit = [C("CreatedAt", Ts), C("CreatedBy", Str), C("LastModifiedAt", Ts), C("LastModifiedBy", Str)];

    public static readonly Table Packages = new("Packages", [C("Id", Big), C("PackageId", Str), C("Name", Str), C("DeveloperName", Str),
        C("DeveloperOrgId", Str), C("LatestVersion", Str), C("ReleaseDate", Date), C("IsAssociated", Bool), C("AssociatedAt", Ts),
        C("DefaultStatus", Int), C("DefaultSeats", Int), C("DefaultLengthDays", Int), C("Version", Int), .. Audit]);

    public static readonly Table Versions = new("PackageVersions", [C("Id", Big), C("PackageKey", Big), C("VersionId", Str), C("Name", Str),
        C("VersionNumber", Str), C("VersionSortKey", Big), C("Beta", Bool), C("ReleaseDate", Date), .. Audit]);

    public static readonly Table Accounts = new("Accounts", [C("Id", Big), C("Name", Str), C("Phone", Str), C("Website", Str), C("State", Str),
        C("Country", Str), .. Audit]);

    public static readonly Table Leads = new("Leads", [C("Id", Big), C("FirstName", Str), C("LastName", Str), C("Company", Str), C("Email", Str),
        C("LeadSource", Str), C("IsConverted", Bool), C("ConvertedAt", Ts), C("ConvertedAccountKey", Big), .. Audit]);

    public static readonly Table Licenses = new("Licenses", [C("Id", Big), C("PackageKey", Big), C("PackageVersionKey", Big),
        C("PackageVersionNumber", Str), C("Status", Int), C("HasBeenActive", Bool), C("Seats", Int), C("ExpirationDate", Date),
        C("InstallDate", Ts), C("SubscriberOrgId", Str), C("OrgName", Str), C("Instance", Str), C("OrgEdition", Str), C("OrgStatus", Int),
        C("OrgExpirationDate", Date), C("IsSandbox", Bool), C("ReportedUsedLicenses", Int), C("InformationCurrentAsOf", Ts),
        C("LastEventAt", Ts), C("LeadKey", Big), C("AccountKey", Big), C("Version", Int), .. Audit]);

    public static readonly Table InstallEvents = new("InstallEvents", [C("Id", Big), C("EventId", Str), C("Type", Int), C("OccurredAt", Ts),
        C("ReceivedAt", Ts), C("Payload", Text), C("PackageVersionId", Str), C("OrgId", Str), C("PackageKey", Big), C("State", Int),
        C("Attempts", Int), C("ProcessedAt", Ts), C("LicenseKey", Big)]);

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
    public static async Task<int> WriteLicensesAsync(IBulkSession session, IReadOnlyList<LicenseRow> rows, long uninstallIdBase, string eventPrefix, bool uninstalls = true)
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
                    r.LastEventAt, r.LastEventAt, r.Id, r.AccountKey, 0,
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
        return written;
    }
}
