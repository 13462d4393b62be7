namespace LicenseManager.Core.Domain.Lifecycle;

/// <summary>
/// The license lifecycle: what an install, reinstall, upgrade, uninstall, org report or seat assignment does to a
/// license. The install processor applies events one at a time with <see cref="Apply"/>, Refresh Licenses replays an
/// org's log with <see cref="Reconcile"/> through the same <see cref="Apply"/>, and the seat API counts seats with
/// <see cref="SeatsAssigned"/>, so the three can't disagree. Pure: no database, no clock (time comes from the event);
/// it changes only the license it is given, or creates one. Saving the result is the caller's business.
/// </summary>
public static class LicenseLifecycle
{
    /// <summary>
    /// Applies one platform event to an org's license (or to none). An install creates the license with the package's
    /// defaults; an install of an Uninstalled license reinstalls it (the license is reused and reset to the defaults).
    /// An uninstall sets Uninstalled and blanks Used Licenses; an Uninstalled license stays so until a reinstall (an
    /// upgrade moves its version but doesn't reactivate it). Install, upgrade and uninstall older than the latest one
    /// applied are stale and change no status or version; org details and Used Licenses older than the last org report
    /// are stale too. Applying an event twice changes nothing the second time.
    /// </summary>
    /// <param name="describe">
    /// False when the caller only wants the new state: the changed fields aren't listed. The install processor (its
    /// field history is written by SaveChanges) and a replay pass false, so the install path doesn't snapshot and diff
    /// every license twice per event.
    /// </param>
    public static LifecycleResult Apply(License? license, LicenseDefaults defaults, LicenseEvent e, bool describe = true)
    {
        if (e.Type is not (InstallEventType.Install or InstallEventType.Upgrade or InstallEventType.Uninstall or InstallEventType.OrgUpdate))
            throw new ArgumentException($"{e.Type} is not an event of a license.", nameof(e));

        if (license is null)
        {
            if (e.Type != InstallEventType.Install || e.Version is null)
                return new(null, false, false, [], [LifecycleIgnoreReason.NoLicense]);
            var created = new License { SubscriberOrgId = e.OrgId, PackageKey = e.Version.Package?.Id ?? e.Version.PackageKey };
            if (e.Version.Package is { } package) created.Package = package;
            LicenseRules.ResetToDefaults(created, defaults, e.OccurredAt);
            SetVersion(created, e.Version);
            ApplyOrgReport(created, e.Org, e.OccurredAt);
            created.LastEventAt = e.OccurredAt;
            return new(created, true, false, [], []);
        }

        var before = describe ? Fields(license) : null;
        var ignored = new List<LifecycleIgnoreReason>();
        var reinstalled = false;
        var stale = license.LastEventAt is { } last && e.OccurredAt < last;
        var orgStale = license.InformationCurrentAsOf is { } asOf && e.OccurredAt < asOf;
        switch (e.Type)
        {
            case InstallEventType.Install or InstallEventType.Upgrade:
                if (stale) ignored.Add(LifecycleIgnoreReason.StaleEvent);
                else
                {
                    if (e.Type == InstallEventType.Install && license.Status == LicenseStatus.Uninstalled)
                    {
                        LicenseRules.ResetToDefaults(license, defaults, e.OccurredAt);
                        reinstalled = true;
                    }
                    if (e.Version is not null) SetVersion(license, e.Version);
                    license.LastEventAt = e.OccurredAt;
                }
                if (e.Org is not null && orgStale) ignored.Add(LifecycleIgnoreReason.StaleOrgReport);
                ApplyOrgReport(license, e.Org, e.OccurredAt);
                break;
            case InstallEventType.Uninstall:
                // The org details an uninstall carries are not applied: the license is frozen as it was when removed.
                if (stale) ignored.Add(LifecycleIgnoreReason.StaleEvent);
                else
                {
                    license.Status = LicenseStatus.Uninstalled;
                    license.ReportedUsedLicenses = null;
                    license.LastEventAt = e.OccurredAt;
                }
                break;
            case InstallEventType.OrgUpdate:
                if (e.Org is not null && orgStale) ignored.Add(LifecycleIgnoreReason.StaleOrgReport);
                ApplyOrgReport(license, e.Org, e.OccurredAt);
                if (e.UsedLicenses is { } used)
                {
                    if (license.Status == LicenseStatus.Uninstalled) ignored.Add(LifecycleIgnoreReason.UninstalledLicense);
                    else if (license.SeatsAssignedByApi) ignored.Add(LifecycleIgnoreReason.SeatsAssignedByApi);
                    else if (!orgStale) license.ReportedUsedLicenses = used;
                    else if (!ignored.Contains(LifecycleIgnoreReason.StaleOrgReport)) ignored.Add(LifecycleIgnoreReason.StaleOrgReport);
                }
                break;
        }
        return new(license, false, reinstalled, before is null ? [] : Diff(before, Fields(license)), ignored);
    }

    /// <summary>
    /// Refresh Licenses for one license: replays the org's installation log (done events, in any order) through
    /// <see cref="Apply"/> on a copy of the license and corrects the fields the platform owns where the license
    /// drifted from what the log says: installed or Uninstalled, package version, org details, Used Licenses. Fields
    /// the ISV owns (seats, expiration, Trial/Active/Suspended) are left alone, except that an Uninstalled license the
    /// log says is installed again is reset to the package's defaults as the reinstall did. Events older than the
    /// org's first install are skipped, as the processor finds them stale once the install has created the license.
    /// </summary>
    /// <returns>One line per correction, in the words Refresh Licenses reports; empty when the license matched its log.</returns>
    public static IReadOnlyList<string> Reconcile(License license, LicenseDefaults defaults, IEnumerable<LicenseEvent> log)
    {
        var ordered = log.OrderBy(e => e.OccurredAt).ToList(); // stable: events at the same time keep the caller's order
        var firstInstall = ordered.FirstOrDefault(e => e.Type == InstallEventType.Install)?.OccurredAt;
        var expected = license.CopyForReplay();
        foreach (var e in ordered.Where(e => firstInstall is null || e.OccurredAt >= firstInstall))
            Apply(expected, defaults, e, describe: false);

        var corrections = new List<string>();
        if (expected.Status == LicenseStatus.Uninstalled && license.Status != LicenseStatus.Uninstalled)
        {
            corrections.Add($"status {license.Status} → Uninstalled");
            license.Status = LicenseStatus.Uninstalled;
            license.ReportedUsedLicenses = null;
        }
        else if (expected.Status != LicenseStatus.Uninstalled && license.Status == LicenseStatus.Uninstalled)
        {
            corrections.Add("reinstalled: status reset to the package defaults");
            LicenseRules.ResetToDefaults(license, defaults, expected.InstallDate);
        }
        if (expected.LastEventAt is { } at && (license.LastEventAt is null || license.LastEventAt < at)) license.LastEventAt = at;

        if (expected.PackageVersionKey != license.PackageVersionKey && expected.PackageVersion is { } version)
        {
            corrections.Add($"package version {license.PackageVersionNumber} → {version.VersionNumber}");
            SetVersion(license, version);
        }

        if (OrgDetails(expected) != OrgDetails(license))
        {
            corrections.Add("org details updated");
            (license.OrgName, license.Instance, license.OrgEdition, license.OrgStatus, license.OrgExpirationDate, license.IsSandbox) = OrgDetails(expected);
        }
        if (expected.InformationCurrentAsOf is { } orgAt && (license.InformationCurrentAsOf is null || license.InformationCurrentAsOf < orgAt))
            license.InformationCurrentAsOf = orgAt;

        // The seat API owns Used Licenses of a license whose seats it assigns; the log's reported value doesn't replace it.
        if (license.Status != LicenseStatus.Uninstalled && !license.SeatsAssignedByApi && expected.ReportedUsedLicenses is { } used && license.ReportedUsedLicenses != used)
        {
            corrections.Add($"used licenses {license.ReportedUsedLicenses?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "blank"} → {used}");
            license.ReportedUsedLicenses = used;
        }
        return corrections;
    }

    /// <summary>
    /// The seat API assigned or revoked a seat: Used Licenses becomes the number of seats assigned (blank stays blank on
    /// an Uninstalled license), and from now on org reports no longer overwrite it.
    /// </summary>
    public static LifecycleResult SeatsAssigned(License license, int assignedSeats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(assignedSeats);
        var before = Fields(license);
        license.SeatsAssignedByApi = true;
        if (license.Status != LicenseStatus.Uninstalled) license.ReportedUsedLicenses = assignedSeats;
        return new(license, false, false, Diff(before, Fields(license)), []);
    }

    private static void SetVersion(License license, PackageVersion version)
    {
        license.PackageVersion = version;
        license.PackageVersionKey = version.Id;
        license.PackageVersionNumber = version.VersionNumber;
    }

    private static void ApplyOrgReport(License license, OrgReport? org, DateTime occurredAt)
    {
        if (org is null || (license.InformationCurrentAsOf is { } asOf && occurredAt < asOf)) return;
        if (!string.IsNullOrWhiteSpace(org.Name)) license.OrgName = org.Name;
        if (org.Instance is not null) license.Instance = org.Instance;
        if (org.Edition is not null) license.OrgEdition = org.Edition;
        if (org.Status is { } status) license.OrgStatus = status;
        if (org.Status is not null || org.ExpirationDate is not null) license.OrgExpirationDate = org.ExpirationDate;
        if (org.Sandbox is { } sandbox) license.IsSandbox = sandbox;
        license.InformationCurrentAsOf = occurredAt;
    }

    private static (string, string?, string?, OrgStatus, DateOnly?, bool) OrgDetails(License l) =>
        (l.OrgName, l.Instance, l.OrgEdition, l.OrgStatus, l.OrgExpirationDate, l.IsSandbox);

    private static (string Field, object? Value)[] Fields(License l) =>
    [
        (nameof(License.Status), l.Status),
        (nameof(License.HasBeenActive), l.HasBeenActive),
        (nameof(License.Seats), l.Seats),
        (nameof(License.ExpirationDate), l.ExpirationDate),
        (nameof(License.InstallDate), l.InstallDate),
        (nameof(License.PackageVersionNumber), l.PackageVersionNumber),
        (nameof(License.PackageVersionKey), l.PackageVersionKey),
        (nameof(License.OrgName), l.OrgName),
        (nameof(License.Instance), l.Instance),
        (nameof(License.OrgEdition), l.OrgEdition),
        (nameof(License.OrgStatus), l.OrgStatus),
        (nameof(License.OrgExpirationDate), l.OrgExpirationDate),
        (nameof(License.IsSandbox), l.IsSandbox),
        (nameof(License.ReportedUsedLicenses), l.ReportedUsedLicenses),
        (nameof(License.InformationCurrentAsOf), l.InformationCurrentAsOf),
        (nameof(License.SeatsAssignedByApi), l.SeatsAssignedByApi),
        (nameof(License.LastEventAt), l.LastEventAt),
    ];

    private static List<LicenseFieldDelta> Diff((string Field, object? Value)[] before, (string Field, object? Value)[] after) =>
        before.Zip(after).Where(p => !Equals(p.First.Value, p.Second.Value))
            .Select(p => new LicenseFieldDelta(p.First.Field, p.First.Value, p.Second.Value)).ToList();
}
