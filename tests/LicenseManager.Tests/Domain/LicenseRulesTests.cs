using LicenseManager.Core.Domain;

namespace LicenseManager.Tests.Domain;

public class LicenseRulesTests
{
    private static readonly DateTime Installed = new(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly InstallDay = DateOnly.FromDateTime(Installed);

    private static License Trial() => new() { Status = LicenseStatus.Trial, InstallDate = Installed, ExpirationDate = InstallDay.AddDays(30) };

    [Fact]
    public void Trial_may_last_up_to_90_days_after_install()
    {
        Assert.Empty(LicenseRules.ValidateModification(Trial(), new(LicenseStatus.Trial, null, InstallDay.AddDays(90))));
        var errors = LicenseRules.ValidateModification(Trial(), new(LicenseStatus.Trial, null, InstallDay.AddDays(91)));
        var error = Assert.Single(errors);
        Assert.Equal(("ExpirationDate", LicenseRules.Codes.TrialTooLong), (error.Field, error.Code));
        Assert.Contains("2026-12-30", error.Message);
    }

    [Fact]
    public void Trial_must_have_an_expiration_date()
    {
        var error = Assert.Single(LicenseRules.ValidateModification(Trial(), new(LicenseStatus.Trial, null, null)));
        Assert.Equal(LicenseRules.Codes.TrialNeedsExpiration, error.Code);
    }

    [Fact]
    public void Once_active_a_license_never_returns_to_trial()
    {
        var license = Trial();
        LicenseRules.Apply(license, new(LicenseStatus.Active, 10, null));
        LicenseRules.Apply(license, new(LicenseStatus.Suspended, 10, null));
        var error = Assert.Single(LicenseRules.ValidateModification(license, new(LicenseStatus.Trial, 10, InstallDay.AddDays(10))));
        Assert.Equal(("Status", LicenseRules.Codes.BackToTrial), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(99_000_000, true)]
    [InlineData(99_000_001, false)]
    public void Seats_range_from_1_to_99_million(int seats, bool allowed)
    {
        var errors = LicenseRules.ValidateModification(Trial(), new(LicenseStatus.Active, seats, null));
        Assert.Equal(allowed, errors.Count == 0);
        if (!allowed) Assert.Equal(LicenseRules.Codes.SeatsOutOfRange, Assert.Single(errors).Code);
    }

    [Fact]
    public void Uninstalled_license_cannot_be_modified()
    {
        var license = Trial();
        license.Status = LicenseStatus.Uninstalled;
        var error = Assert.Single(LicenseRules.ValidateModification(license, new(LicenseStatus.Active, null, null)));
        Assert.Equal(LicenseRules.Codes.Uninstalled, error.Code);
        Assert.Throws<InvalidOperationException>(() => LicenseRules.Apply(license, new(LicenseStatus.Active, null, null)));
        Assert.Equal(LicenseStatus.Uninstalled, license.Status);
    }

    [Fact]
    public void Nobody_sets_uninstalled_by_hand()
    {
        var error = Assert.Single(LicenseRules.ValidateModification(Trial(), new(LicenseStatus.Uninstalled, null, InstallDay.AddDays(5))));
        Assert.Equal(LicenseRules.Codes.StatusNotAllowed, error.Code);
    }

    [Fact]
    public void Seats_below_used_licenses_is_allowed_with_a_warning_and_negative_available()
    {
        var license = Trial();
        license.ReportedUsedLicenses = 12;
        var warnings = LicenseRules.Apply(license, new(LicenseStatus.Active, 10, null));
        Assert.Equal(-2, LicenseRules.AvailableSeats(license));
        Assert.Contains("revokes 2", Assert.Single(warnings));
    }

    [Fact]
    public void Used_licenses_are_blank_for_site_licenses_and_uninstalled()
    {
        var license = Trial();
        license.ReportedUsedLicenses = 5;
        Assert.Null(license.UsedLicensesShown); // site license
        license.Seats = 10;
        Assert.Equal(5, license.UsedLicensesShown);
        license.Status = LicenseStatus.Uninstalled;
        Assert.Null(license.UsedLicensesShown);
        Assert.Null(LicenseRules.AvailableSeats(license));
    }

    [Fact]
    public void Defaults_of_a_trial_must_expire_within_90_days()
    {
        Assert.Empty(LicenseRules.ValidateDefaults(new(LicenseStatus.Trial, null, 90)));
        Assert.Equal(LicenseRules.Codes.TrialTooLong, Assert.Single(LicenseRules.ValidateDefaults(new(LicenseStatus.Trial, null, 91))).Code);
        Assert.Equal(LicenseRules.Codes.TrialNeedsExpiration, Assert.Single(LicenseRules.ValidateDefaults(new(LicenseStatus.Trial, 5, null))).Code);
        Assert.Empty(LicenseRules.ValidateDefaults(new(LicenseStatus.Active, 25, null)));
        Assert.Equal(LicenseRules.Codes.StatusNotAllowed, Assert.Single(LicenseRules.ValidateDefaults(new(LicenseStatus.Suspended, null, null))).Code);
    }

    [Fact]
    public void Reset_to_defaults_sets_expiration_from_the_install_day()
    {
        var license = new License();
        LicenseRules.ResetToDefaults(license, new(LicenseStatus.Active, 25, 365), Installed);
        Assert.Equal((LicenseStatus.Active, (int?)25, (DateOnly?)InstallDay.AddDays(365), true), (license.Status, license.Seats, license.ExpirationDate, license.HasBeenActive));
    }

    [Theory]
    [InlineData(null, null, null, null, LicenseCheckCode.NOT_FOUND)]
    [InlineData(LicenseStatus.Uninstalled, null, null, null, LicenseCheckCode.UNINSTALLED)]
    [InlineData(LicenseStatus.Suspended, null, null, null, LicenseCheckCode.SUSPENDED)]
    [InlineData(LicenseStatus.Trial, null, "2026-11-27", null, LicenseCheckCode.EXPIRED)]
    [InlineData(LicenseStatus.Trial, null, "2026-11-28", null, LicenseCheckCode.OK)]
    [InlineData(LicenseStatus.Active, 10, null, false, LicenseCheckCode.NO_SEAT)]
    [InlineData(LicenseStatus.Active, 10, null, true, LicenseCheckCode.OK)]
    [InlineData(LicenseStatus.Active, null, null, false, LicenseCheckCode.OK)]
    public void Check_answers_with_the_reason(LicenseStatus? status, int? seats, string? expires, bool? holdsSeat, LicenseCheckCode expected)
    {
        var today = new DateOnly(2026, 11, 28);
        Assert.Equal(expected, LicenseRules.Check(status, seats, expires is null ? null : DateOnly.Parse(expires), today, holdsSeat));
    }

    [Theory]
    [InlineData("1.10.0", "1.9.0")]
    [InlineData("2.0", "1.99.99")]
    [InlineData("1.0.0.1", "1.0.0")]
    public void Version_numbers_sort_numerically(string higher, string lower) =>
        Assert.True(PackageVersion.SortKeyOf(higher) > PackageVersion.SortKeyOf(lower));

    [Theory]
    [InlineData("abc")]
    [InlineData("1..2")]
    [InlineData("1.2.3.4.5")]
    [InlineData("70000.0")]
    public void Non_versions_have_no_sort_key(string text) => Assert.Null(PackageVersion.SortKeyOf(text));

    [Fact]
    public void A_seat_can_be_assigned_until_every_seat_is_taken_and_a_site_license_has_no_limit()
    {
        var seated = new License { Status = LicenseStatus.Active, Seats = 2, InstallDate = Installed };
        Assert.Null(LicenseRules.ValidateSeatAssignment(seated, 1));
        Assert.Equal(LicenseRules.Codes.NoSeatAvailable, LicenseRules.ValidateSeatAssignment(seated, 2)!.Code);
        Assert.Equal(LicenseRules.Codes.NoSeatAvailable, LicenseRules.ValidateSeatAssignment(seated, 5)!.Code); // seats reduced below holders
        Assert.Null(LicenseRules.ValidateSeatAssignment(new License { Status = LicenseStatus.Active, Seats = null }, 10_000));
        Assert.Equal(LicenseRules.Codes.Uninstalled, LicenseRules.ValidateSeatAssignment(new License { Status = LicenseStatus.Uninstalled, Seats = 5 }, 0)!.Code);
    }
}
