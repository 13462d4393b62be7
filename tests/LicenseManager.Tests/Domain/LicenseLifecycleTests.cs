using LicenseManager.Core.Domain;
using LicenseManager.Core.Domain.Lifecycle;

namespace LicenseManager.Tests.Domain;

/// <summary>
/// The license lifecycle without a database: every event type in every license state, events out of order and twice,
/// reinstall after uninstall, stale org reports, used licenses and seat counts, and Refresh Licenses' replay of a log.
/// Licenses are put in their states through Core's own methods (an install, Modify License's rules, an uninstall).
/// </summary>
public class LicenseLifecycleTests
{
    private const string Org = "00D000000000001";
    private static readonly DateTime T0 = new(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Later = T0.AddDays(1);
    private static readonly Package Package = new() { Id = 7, PackageId = "033000000000000001", Name = "Invoice Pro" };
    private static readonly PackageVersion V1 = Version(1, "1.0.0");
    private static readonly PackageVersion V2 = Version(2, "2.0.0");
    private static readonly LicenseDefaults Defaults = new(LicenseStatus.Trial, 20, 30);

    private static PackageVersion Version(long id, string number) =>
        new() { Id = id, PackageKey = Package.Id, Package = Package, VersionId = $"04t00000000000000{id}", VersionNumber = number };

    private static LicenseEvent Install(DateTime at, PackageVersion? version = null, string orgName = "Acme Inc") =>
        new(InstallEventType.Install, at, Org, version ?? V1, new OrgReport(orgName, "NA44", "Enterprise Edition", OrgStatus.Active, null, false));

    // An upgrade or uninstall names the org and nothing else about it, as the platform sends them.
    private static LicenseEvent Upgrade(DateTime at, PackageVersion version) => new(InstallEventType.Upgrade, at, Org, version, new OrgReport());
    private static LicenseEvent Uninstall(DateTime at) => new(InstallEventType.Uninstall, at, Org, V1, new OrgReport());

    private static LicenseEvent OrgReport(DateTime at, int? used, OrgStatus status = OrgStatus.Active, string edition = "Unlimited Edition") =>
        new(InstallEventType.OrgUpdate, at, Org, V1, new OrgReport(Edition: edition, Status: status), used);

    private static License Installed(LicenseDefaults? defaults = null, DateTime? at = null) =>
        LicenseLifecycle.Apply(null, defaults ?? Defaults, Install(at ?? T0)).License!;

    /// <summary>A license in the named state, as the product gets it there. Its latest platform event is at or before <see cref="T0"/> + 1 hour.</summary>
    private static License InState(string state)
    {
        var license = Installed();
        var day = DateOnly.FromDateTime(T0);
        switch (state)
        {
            case "Trial":
                break;
            case "Active":
                LicenseRules.Apply(license, new(LicenseStatus.Active, 10, day.AddDays(365)));
                break;
            case "Suspended":
                LicenseRules.Apply(license, new(LicenseStatus.Active, 10, day.AddDays(365)));
                LicenseRules.Apply(license, new(LicenseStatus.Suspended, 10, day.AddDays(365)));
                break;
            case "Expired": // a Trial whose expiration date has passed: the status stays Trial, the check answers EXPIRED
                license = Installed(at: T0.AddDays(-60));
                break;
            case "Uninstalled":
                LicenseLifecycle.Apply(license, Defaults, Uninstall(T0.AddHours(1)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state));
        }
        return license;
    }

    private static (LicenseStatus, int?, DateOnly?, DateTime) IsvFields(License l) => (l.Status, l.Seats, l.ExpirationDate, l.InstallDate);

    // ---- No license yet ----

    [Fact]
    public void An_install_creates_the_license_with_the_package_defaults()
    {
        var result = LicenseLifecycle.Apply(null, Defaults, Install(T0));

        Assert.True(result.Created);
        Assert.True(result.Changed);
        var license = result.License!;
        Assert.Equal((LicenseStatus.Trial, (int?)20, (DateOnly?)DateOnly.FromDateTime(T0).AddDays(30), T0), IsvFields(license));
        Assert.Equal((Package.Id, Org, "1.0.0", V1.Id), (license.PackageKey, license.SubscriberOrgId, license.PackageVersionNumber, license.PackageVersionKey));
        Assert.Same(V1, license.PackageVersion);
        Assert.Equal(("Acme Inc", "NA44", "Enterprise Edition", OrgStatus.Active, false), (license.OrgName, license.Instance, license.OrgEdition, license.OrgStatus, license.IsSandbox));
        Assert.Equal(((DateTime?)T0, (DateTime?)T0), (license.LastEventAt, license.InformationCurrentAsOf));
        Assert.Null(license.ReportedUsedLicenses);
        Assert.False(license.HasBeenActive);
        Assert.Equal(new StatusTransition(null, LicenseStatus.Trial), result.StatusChange);
    }

    [Fact]
    public void An_install_with_Active_defaults_that_never_expire_marks_the_license_as_having_been_active()
    {
        var license = Installed(new LicenseDefaults(LicenseStatus.Active, null, null));
        Assert.Equal((LicenseStatus.Active, (int?)null, (DateOnly?)null), (license.Status, license.Seats, license.ExpirationDate));
        Assert.True(license.HasBeenActive);
    }

    [Theory]
    [InlineData(InstallEventType.Upgrade)]
    [InlineData(InstallEventType.Uninstall)]
    [InlineData(InstallEventType.OrgUpdate)]
    public void Anything_but_an_install_for_an_org_without_a_license_is_ignored_until_the_install(InstallEventType type)
    {
        var e = type switch
        {
            InstallEventType.Upgrade => Upgrade(T0, V2),
            InstallEventType.Uninstall => Uninstall(T0),
            _ => OrgReport(T0, 5),
        };
        var result = LicenseLifecycle.Apply(null, Defaults, e);
        Assert.Null(result.License);
        Assert.False(result.Changed);
        Assert.Equal(new[] { LifecycleIgnoreReason.NoLicense }, result.Ignored);
    }

    [Fact]
    public void An_install_whose_version_is_unknown_creates_nothing()
    {
        var result = LicenseLifecycle.Apply(null, Defaults, Install(T0) with { Version = null });
        Assert.Null(result.License);
        Assert.Equal(new[] { LifecycleIgnoreReason.NoLicense }, result.Ignored);
    }

    [Fact]
    public void A_package_version_upload_is_not_a_license_event()
    {
        var upload = new LicenseEvent(InstallEventType.PackageVersionUploaded, T0, Org, V1);
        Assert.Throws<ArgumentException>(() => LicenseLifecycle.Apply(null, Defaults, upload));
        Assert.Throws<ArgumentException>(() => LicenseLifecycle.Apply(Installed(), Defaults, upload));
    }

    // ---- Installed licenses: Trial, Active, Suspended, expired ----

    [Theory]
    [InlineData("Trial")]
    [InlineData("Active")]
    [InlineData("Suspended")]
    [InlineData("Expired")]
    public void An_install_on_an_installed_license_moves_its_version_and_keeps_what_the_ISV_set(string state)
    {
        var license = InState(state);
        var isv = IsvFields(license);

        var result = LicenseLifecycle.Apply(license, Defaults, Install(Later, V2, orgName: "Acme Renamed"));

        Assert.Same(license, result.License);
        Assert.False(result.Created);
        Assert.False(result.Reinstalled);
        Assert.Equal(isv, IsvFields(license));
        Assert.Null(result.StatusChange);
        Assert.Equal(("2.0.0", "Acme Renamed", (DateTime?)Later), (license.PackageVersionNumber, license.OrgName, license.LastEventAt));
    }

    [Theory]
    [InlineData("Trial")]
    [InlineData("Active")]
    [InlineData("Suspended")]
    [InlineData("Expired")]
    [InlineData("Uninstalled")]
    public void An_upgrade_moves_the_version_and_never_changes_the_status(string state)
    {
        var license = InState(state);
        var isv = IsvFields(license);

        var result = LicenseLifecycle.Apply(license, Defaults, Upgrade(Later, V2));

        Assert.Equal(isv, IsvFields(license));
        Assert.Null(result.StatusChange);
        Assert.Equal(("2.0.0", V2.Id, (DateTime?)Later), (license.PackageVersionNumber, license.PackageVersionKey, license.LastEventAt));
        Assert.Contains(result.Changes, c => c is { Field: nameof(License.PackageVersionNumber), From: "1.0.0", To: "2.0.0" });
    }

    [Theory]
    [InlineData("Trial", LicenseStatus.Trial)]
    [InlineData("Active", LicenseStatus.Active)]
    [InlineData("Suspended", LicenseStatus.Suspended)]
    [InlineData("Expired", LicenseStatus.Trial)]
    public void An_uninstall_sets_Uninstalled_and_blanks_used_licenses(string state, LicenseStatus from)
    {
        var license = InState(state);
        LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(2), 8));
        Assert.Equal(8, license.ReportedUsedLicenses);

        var result = LicenseLifecycle.Apply(license, Defaults, Uninstall(Later));

        Assert.Equal(new StatusTransition(from, LicenseStatus.Uninstalled), result.StatusChange);
        Assert.Equal(LicenseStatus.Uninstalled, license.Status);
        Assert.Null(license.ReportedUsedLicenses);
        Assert.Null(license.UsedLicensesShown);
        Assert.False(license.IsEditable);
        Assert.Equal(Later, license.LastEventAt);
    }

    [Theory]
    [InlineData("Trial")]
    [InlineData("Active")]
    [InlineData("Suspended")]
    [InlineData("Expired")]
    public void An_org_report_updates_org_details_and_used_licenses(string state)
    {
        var license = InState(state);
        var isv = IsvFields(license);

        var result = LicenseLifecycle.Apply(license, Defaults, OrgReport(Later, 12, OrgStatus.Free));

        Assert.Equal(isv, IsvFields(license));
        Assert.Empty(result.Ignored);
        Assert.Equal(((int?)12, OrgStatus.Free, "Unlimited Edition", (DateTime?)Later), (license.ReportedUsedLicenses, license.OrgStatus, license.OrgEdition, license.InformationCurrentAsOf));
        Assert.Equal("Acme Inc", license.OrgName); // not reported: kept
        Assert.Contains(result.Changes, c => c is { Field: nameof(License.ReportedUsedLicenses), From: null, To: 12 });
    }

    // ---- Uninstalled ----

    [Fact]
    public void A_reinstall_after_an_uninstall_reuses_the_license_and_resets_it_to_the_defaults_as_of_the_reinstall()
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, Uninstall(T0.AddHours(2)));
        var reinstallAt = T0.AddDays(5);

        var result = LicenseLifecycle.Apply(license, Defaults, Install(reinstallAt, V2));

        Assert.Same(license, result.License);
        Assert.True(result.Reinstalled);
        Assert.False(result.Created);
        Assert.Equal(new StatusTransition(LicenseStatus.Uninstalled, LicenseStatus.Trial), result.StatusChange);
        Assert.Equal((LicenseStatus.Trial, (int?)20, (DateOnly?)DateOnly.FromDateTime(reinstallAt).AddDays(30), reinstallAt), IsvFields(license));
        Assert.Equal("2.0.0", license.PackageVersionNumber);
        Assert.True(license.IsEditable);
    }

    [Fact]
    public void An_uninstalled_license_ignores_reported_used_licenses_but_takes_org_details()
    {
        var license = InState("Uninstalled");

        var result = LicenseLifecycle.Apply(license, Defaults, OrgReport(Later, 9, OrgStatus.Free));

        Assert.Equal(LicenseStatus.Uninstalled, license.Status);
        Assert.Null(license.ReportedUsedLicenses);
        Assert.Equal(OrgStatus.Free, license.OrgStatus);
        Assert.Equal(new[] { LifecycleIgnoreReason.UninstalledLicense }, result.Ignored);
    }

    [Fact]
    public void A_second_uninstall_changes_only_when_the_license_last_heard_from_the_platform()
    {
        var license = InState("Uninstalled");
        var result = LicenseLifecycle.Apply(license, Defaults, Uninstall(Later));
        Assert.Null(result.StatusChange);
        Assert.Equal(new[] { nameof(License.LastEventAt) }, result.Changes.Select(c => c.Field));
    }

    [Fact]
    public void An_uninstall_does_not_take_the_org_details_it_carries()
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, Uninstall(Later) with { Org = new OrgReport(Name: "Renamed") });
        Assert.Equal(("Acme Inc", (DateTime?)T0), (license.OrgName, license.InformationCurrentAsOf));
    }

    // ---- Out of order and twice ----

    [Theory]
    [InlineData(InstallEventType.Install)]
    [InlineData(InstallEventType.Upgrade)]
    [InlineData(InstallEventType.Uninstall)]
    public void An_install_upgrade_or_uninstall_older_than_the_latest_one_applied_changes_no_status_or_version(InstallEventType type)
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, Upgrade(T0.AddHours(3), V2));
        var before = (IsvFields(license), license.PackageVersionNumber, license.LastEventAt);
        var late = T0.AddHours(2);
        var e = type switch { InstallEventType.Install => Install(late), InstallEventType.Upgrade => Upgrade(late, V1), _ => Uninstall(late) };

        var result = LicenseLifecycle.Apply(license, Defaults, e);

        Assert.Equal(before, (IsvFields(license), license.PackageVersionNumber, license.LastEventAt));
        Assert.Contains(LifecycleIgnoreReason.StaleEvent, result.Ignored);
    }

    [Fact]
    public void A_late_upgrade_does_not_undo_an_uninstall()
    {
        var license = InState("Trial");
        LicenseLifecycle.Apply(license, Defaults, Uninstall(T0.AddHours(2)));
        var result = LicenseLifecycle.Apply(license, Defaults, Upgrade(T0.AddHours(1), V2));
        Assert.Equal((LicenseStatus.Uninstalled, "1.0.0"), (license.Status, license.PackageVersionNumber));
        Assert.Equal(new[] { LifecycleIgnoreReason.StaleEvent }, result.Ignored);
    }

    [Fact]
    public void A_late_uninstall_does_not_undo_a_reinstall()
    {
        var license = InState("Uninstalled");
        LicenseLifecycle.Apply(license, Defaults, Install(T0.AddDays(2)));
        LicenseLifecycle.Apply(license, Defaults, Uninstall(T0.AddDays(1)));
        Assert.Equal(LicenseStatus.Trial, license.Status);
    }

    [Fact]
    public void An_org_report_older_than_the_last_one_is_stale_and_changes_nothing()
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(3), 7, OrgStatus.Free));

        var result = LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(2), 3, OrgStatus.Trial, "Developer Edition"));

        Assert.False(result.Changed);
        Assert.Equal(new[] { LifecycleIgnoreReason.StaleOrgReport }, result.Ignored);
        Assert.Equal(((int?)7, OrgStatus.Free, "Unlimited Edition"), (license.ReportedUsedLicenses, license.OrgStatus, license.OrgEdition));
    }

    [Fact]
    public void An_org_report_older_than_the_install_is_stale()
    {
        var license = Installed();
        var result = LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(-1), 9));
        Assert.Null(license.ReportedUsedLicenses);
        Assert.Equal(new[] { LifecycleIgnoreReason.StaleOrgReport }, result.Ignored);
    }

    [Fact]
    public void An_org_status_reported_without_an_expiration_date_means_the_org_no_longer_expires()
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, new LicenseEvent(InstallEventType.OrgUpdate, T0.AddHours(2), Org, V1,
            new OrgReport(Status: OrgStatus.Trial, ExpirationDate: new DateOnly(2026, 12, 1))));
        Assert.Equal(new DateOnly(2026, 12, 1), license.OrgExpirationDate);

        LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(3), null, OrgStatus.Active));
        Assert.Null(license.OrgExpirationDate);
    }

    [Fact]
    public void Every_event_applied_twice_changes_nothing_the_second_time()
    {
        var log = new[]
        {
            Install(T0), OrgReport(T0.AddHours(1), 4), Upgrade(T0.AddHours(2), V2), Uninstall(T0.AddDays(1)),
            OrgReport(T0.AddDays(1).AddHours(1), 6), Install(T0.AddDays(2), V2), OrgReport(T0.AddDays(2).AddHours(1), 3, OrgStatus.Free),
        };
        License? license = null;
        foreach (var e in log)
        {
            license = LicenseLifecycle.Apply(license, Defaults, e).License;
            var again = LicenseLifecycle.Apply(license, Defaults, e);
            Assert.False(again.Changed, $"{e.Type} at {e.OccurredAt:O} changed {string.Join(", ", again.Changes.Select(c => c.Field))} the second time");
            Assert.False(again.Created);
        }
        Assert.Equal((LicenseStatus.Trial, (int?)3, "2.0.0", OrgStatus.Free), (license!.Status, license.ReportedUsedLicenses, license.PackageVersionNumber, license.OrgStatus));
    }

    [Fact]
    public void Org_reports_arriving_in_any_order_leave_the_newest_one()
    {
        var reports = new[] { OrgReport(T0.AddHours(1), 4), OrgReport(T0.AddHours(2), 6, OrgStatus.Free), OrgReport(T0.AddHours(3), 5) };
        foreach (var order in new[] { new[] { 0, 1, 2 }, [2, 1, 0], [1, 2, 0], [2, 0, 1] })
        {
            var license = Installed();
            foreach (var i in order) LicenseLifecycle.Apply(license, Defaults, reports[i]);
            Assert.Equal(((int?)5, OrgStatus.Active, (DateTime?)T0.AddHours(3)), (license.ReportedUsedLicenses, license.OrgStatus, license.InformationCurrentAsOf));
        }
    }

    // ---- Used licenses and seats ----

    [Fact]
    public void Once_the_seat_API_assigns_seats_org_reports_no_longer_set_used_licenses()
    {
        var license = InState("Active");
        LicenseLifecycle.Apply(license, Defaults, OrgReport(T0.AddHours(2), 8));

        var assigned = LicenseLifecycle.SeatsAssigned(license, 3);
        Assert.Equal(((int?)3, true), (license.ReportedUsedLicenses, license.SeatsAssignedByApi));
        Assert.Contains(assigned.Changes, c => c is { Field: nameof(License.ReportedUsedLicenses), From: 8, To: 3 });

        var report = LicenseLifecycle.Apply(license, Defaults, OrgReport(Later, 40, OrgStatus.Free));
        Assert.Equal(3, license.ReportedUsedLicenses);
        Assert.Equal(OrgStatus.Free, license.OrgStatus);
        Assert.Equal(new[] { LifecycleIgnoreReason.SeatsAssignedByApi }, report.Ignored);
        Assert.Equal(7, LicenseRules.AvailableSeats(license));
    }

    [Fact]
    public void Seat_counts_on_an_uninstalled_license_keep_used_licenses_blank()
    {
        var license = InState("Uninstalled");
        LicenseLifecycle.SeatsAssigned(license, 2);
        Assert.Null(license.ReportedUsedLicenses);
        Assert.True(license.SeatsAssignedByApi);
        Assert.Throws<ArgumentOutOfRangeException>(() => LicenseLifecycle.SeatsAssigned(license, -1));
    }

    [Fact]
    public void Seats_reduced_below_used_licenses_leave_available_seats_negative()
    {
        var license = InState("Active"); // 10 seats
        LicenseLifecycle.SeatsAssigned(license, 10);
        LicenseRules.Apply(license, new(LicenseStatus.Active, 6, license.ExpirationDate));
        Assert.Equal(-4, LicenseRules.AvailableSeats(license));
        Assert.Equal(LicenseRules.Codes.NoSeatAvailable, LicenseRules.ValidateSeatAssignment(license, 10)!.Code);
    }

    [Fact]
    public void Used_licenses_of_a_site_license_are_shown_blank()
    {
        var license = Installed(new LicenseDefaults(LicenseStatus.Active, null, null));
        LicenseLifecycle.Apply(license, Defaults, OrgReport(Later, 30));
        Assert.Equal(30, license.ReportedUsedLicenses);
        Assert.Null(license.UsedLicensesShown);
        Assert.Null(License.UsedLicensesShownFor(LicenseStatus.Active, null, 30));
        Assert.Equal(0, License.UsedLicensesShownFor(LicenseStatus.Trial, 5, null));
    }

    // ---- Refresh Licenses: the log replayed against the license ----

    private static License Processed(IEnumerable<LicenseEvent> arrivals)
    {
        License? license = null;
        foreach (var e in arrivals) license = LicenseLifecycle.Apply(license, Defaults, e).License ?? license;
        return license!;
    }

    public static TheoryData<string> Histories => ["install", "install+report", "install+upgrade+uninstall", "uninstall+upgrade", "reinstall", "late report", "report before install"];

    private static LicenseEvent[] History(string name) => name switch
    {
        "install" => [Install(T0)],
        "install+report" => [Install(T0), OrgReport(T0.AddHours(1), 4)],
        "install+upgrade+uninstall" => [Install(T0), Upgrade(T0.AddHours(1), V2), Uninstall(T0.AddHours(2))],
        "uninstall+upgrade" => [Install(T0), Uninstall(T0.AddHours(1)), Upgrade(T0.AddHours(2), V2)],
        "reinstall" => [Install(T0), OrgReport(T0.AddHours(1), 4), Uninstall(T0.AddDays(1)), Install(T0.AddDays(2), V2), OrgReport(T0.AddDays(2).AddHours(1), 2, OrgStatus.Free)],
        "late report" => [Install(T0), OrgReport(T0.AddHours(3), 5), OrgReport(T0.AddHours(2), 9)],
        "report before install" => [Install(T0), OrgReport(T0.AddHours(-1), 9)],
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void A_license_the_processor_built_from_its_log_needs_no_correction(string history)
    {
        var log = History(history);
        var license = Processed(log);
        var before = (IsvFields(license), license.PackageVersionNumber, license.ReportedUsedLicenses, license.OrgStatus, license.LastEventAt);

        Assert.Empty(LicenseLifecycle.Reconcile(license, Defaults, log));
        Assert.Empty(LicenseLifecycle.Reconcile(license, Defaults, log.Reverse())); // the log is read in time order, whatever order it is given in
        Assert.Equal(before, (IsvFields(license), license.PackageVersionNumber, license.ReportedUsedLicenses, license.OrgStatus, license.LastEventAt));
    }

    [Fact]
    public void Refresh_corrects_fields_the_platform_owns_and_leaves_the_ISV_fields_alone()
    {
        var log = History("install+report");
        var drifted = Processed([Install(T0, V2, orgName: "Wrong"), OrgReport(T0.AddHours(1), 1)]); // a license that says otherwise
        LicenseRules.Apply(drifted, new(LicenseStatus.Active, 50, null)); // the ISV's change: kept

        var corrections = LicenseLifecycle.Reconcile(drifted, Defaults, log);

        Assert.Equal(new[] { "package version 2.0.0 → 1.0.0", "org details updated", "used licenses 1 → 4" }, corrections);
        Assert.Equal((LicenseStatus.Active, (int?)50, (DateOnly?)null), (drifted.Status, drifted.Seats, drifted.ExpirationDate));
        Assert.Equal(("1.0.0", "Acme Inc", (int?)4), (drifted.PackageVersionNumber, drifted.OrgName, drifted.ReportedUsedLicenses));
        Assert.Empty(LicenseLifecycle.Reconcile(drifted, Defaults, log));
    }

    [Fact]
    public void Refresh_uninstalls_a_license_the_log_says_was_uninstalled()
    {
        LicenseEvent[] log = [Install(T0), OrgReport(T0.AddHours(1), 4), Uninstall(T0.AddHours(2))];
        var license = Processed(log.Take(2)); // the uninstall never reached it
        Assert.Equal(new[] { "status Trial → Uninstalled" }, LicenseLifecycle.Reconcile(license, Defaults, log));
        Assert.Equal((LicenseStatus.Uninstalled, (int?)null), (license.Status, license.ReportedUsedLicenses));
    }

    [Fact]
    public void Refresh_reinstalls_an_uninstalled_license_the_log_says_is_installed_with_the_defaults_as_of_the_reinstall()
    {
        var log = History("reinstall");
        var license = Processed(log.Take(3)); // the reinstall never reached it
        Assert.Equal(LicenseStatus.Uninstalled, license.Status);

        var corrections = LicenseLifecycle.Reconcile(license, Defaults, log);

        Assert.Equal("reinstalled: status reset to the package defaults", corrections[0]);
        Assert.Equal((LicenseStatus.Trial, (int?)20, (DateOnly?)DateOnly.FromDateTime(T0.AddDays(2)).AddDays(30), T0.AddDays(2)), IsvFields(license));
        Assert.Equal(("2.0.0", (int?)2, OrgStatus.Free), (license.PackageVersionNumber, license.ReportedUsedLicenses, license.OrgStatus));
    }

    [Fact]
    public void Refresh_keeps_used_licenses_the_seat_API_assigns()
    {
        var log = History("install+report");
        var license = Processed(log.Take(1));
        LicenseLifecycle.SeatsAssigned(license, 2);
        Assert.Equal(new[] { "org details updated" }, LicenseLifecycle.Reconcile(license, Defaults, log)); // the report's edition, not its used licenses
        Assert.Equal(2, license.ReportedUsedLicenses);
    }

    [Fact]
    public void Refresh_of_a_license_without_an_install_in_the_log_applies_the_reports_it_has()
    {
        // A license restored from another LMA: its install is not in this log, its later reports are.
        var license = License.Restore(new LicenseRestore
        {
            Id = 5, PackageKey = Package.Id, PackageVersionKey = V1.Id, PackageVersionNumber = "1.0.0", Status = LicenseStatus.Active,
            HasBeenActive = true, Seats = 10, InstallDate = T0.AddDays(-30), SubscriberOrgId = Org, OrgName = "Acme Inc",
            LastEventAt = T0.AddDays(-30), InformationCurrentAsOf = T0.AddDays(-30),
        });
        Assert.Equal(new[] { "org details updated", "used licenses blank → 6" }, LicenseLifecycle.Reconcile(license, Defaults, [OrgReport(T0, 6)]));
        Assert.Equal((T0, T0), (license.InformationCurrentAsOf!.Value, license.LastEventAt!.Value.AddDays(30)));
    }

    // ---- Rules the scan and the defaults read ----

    [Fact]
    public void The_expiry_window_runs_from_today_through_the_days_before_both_included()
    {
        var today = new DateOnly(2026, 12, 1);
        var window = LicenseRules.ExpiryWindowFor(today, 7);
        Assert.Equal((today, today.AddDays(7)), (window.From, window.To));
        Assert.Equal(8, window.Days.Count());
        Assert.Equal(new[] { today }, LicenseRules.ExpiryWindowFor(today, 0).Days);
        Assert.Throws<ArgumentOutOfRangeException>(() => LicenseRules.ExpiryWindowFor(today, -1));
    }

    [Fact]
    public void The_expiry_window_holds_licenses_expiring_inside_it_that_are_not_uninstalled()
    {
        var license = InState("Active"); // expires T0 + 365 days
        var expires = license.ExpirationDate!.Value;
        Assert.True(LicenseRules.ExpiryWindowFor(expires.AddDays(-7), 7).Contains(license));
        Assert.True(LicenseRules.ExpiryWindowFor(expires, 0).Contains(license));
        Assert.False(LicenseRules.ExpiryWindowFor(expires.AddDays(-8), 7).Contains(license));
        Assert.False(LicenseRules.ExpiryWindowFor(expires.AddDays(1), 7).Contains(license));

        LicenseLifecycle.Apply(license, Defaults, Uninstall(Later));
        Assert.False(LicenseRules.ExpiryWindowFor(expires.AddDays(-7), 7).Contains(license));
        Assert.False(LicenseRules.ExpiryWindowFor(new DateOnly(2026, 1, 1), 3650).Contains(Installed(new LicenseDefaults(LicenseStatus.Active, null, null))));
    }

    [Theory]
    [InlineData(LicenseStatus.Trial, true)]
    [InlineData(LicenseStatus.Active, true)]
    [InlineData(LicenseStatus.Suspended, false)]
    [InlineData(LicenseStatus.Uninstalled, false)]
    public void New_licenses_start_as_Trial_or_Active(LicenseStatus status, bool allowed)
    {
        Assert.Equal(allowed, LicenseRules.IsStartingStatus(status));
        var errors = LicenseRules.ValidateDefaults(new LicenseDefaults(status, 5, 30));
        Assert.Equal(allowed, errors.All(e => e.Code != LicenseRules.Codes.StatusNotAllowed));
        if (!allowed) Assert.Equal(LicenseRules.StartingStatusMessage, errors.Single(e => e.Field == "Status").Message);
    }
}
