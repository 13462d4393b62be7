namespace LicenseManager.Core.Domain;

/// <summary>A broken license rule, tied to the field it concerns, with a stable code for the API.</summary>
public sealed record RuleViolation(string Field, string Code, string Message);

/// <summary>What Modify License may change: Expiration, Seats, Status (guide, "Modify a License Record").</summary>
/// <param name="Seats">null = Site License.</param>
/// <param name="ExpirationDate">null = Does not expire.</param>
public sealed record LicenseChange(LicenseStatus Status, int? Seats, DateOnly? ExpirationDate);

/// <summary>Why a license check answered as it did (isCurrentUserLicensed).</summary>
public enum LicenseCheckCode
{
    OK,
    NOT_FOUND,
    UNINSTALLED,
    SUSPENDED,
    EXPIRED,
    NO_SEAT,
}

/// <summary>
/// The one place for license rules: status transitions, the 90-day trial, seat limits, available seats and
/// "is this user licensed", the expiry window. Used by Modify License, the management API, the install processor
/// (through <see cref="Lifecycle.LicenseLifecycle"/>), the check API and the alert scan. Views and validators read
/// their limits from here. Pure: no database, time passed in.
/// </summary>
public static class LicenseRules
{
    public const int MaxSeats = 99_000_000;
    public const int MaxTrialDays = 90;
    /// <summary>The longest license length a package's defaults may give (about a hundred years).</summary>
    public const int MaxLengthDays = 36_500;

    /// <summary>The statuses a new license may start with: a package's default status.</summary>
    public static readonly IReadOnlyList<LicenseStatus> StartingStatuses = [LicenseStatus.Trial, LicenseStatus.Active];
    /// <summary>The statuses Modify License may set (Uninstalled is set only by an uninstall).</summary>
    public static readonly IReadOnlyList<LicenseStatus> ModifiableStatuses = [LicenseStatus.Trial, LicenseStatus.Active, LicenseStatus.Suspended];
    public const string StartingStatusMessage = "New licenses start as Trial or Active.";

    public static bool IsStartingStatus(LicenseStatus status) => StartingStatuses.Contains(status);

    /// <summary>The rule a package's default status breaks when it isn't one a new license may start with.</summary>
    public static RuleViolation StartingStatusViolation() => new("Status", Codes.StatusNotAllowed, StartingStatusMessage);

    public static class Codes
    {
        public const string Uninstalled = "license_uninstalled";
        public const string StatusNotAllowed = "status_not_allowed";
        public const string BackToTrial = "trial_after_active";
        public const string TrialNeedsExpiration = "trial_requires_expiration";
        public const string TrialTooLong = "trial_too_long";
        public const string SeatsOutOfRange = "seats_out_of_range";
        public const string ExpirationBeforeInstall = "expiration_before_install";
        public const string LengthOutOfRange = "length_out_of_range";
        public const string NoSeatAvailable = "no_seat_available";
    }

    /// <summary>Checks a Modify License request against the license as it is now. Empty when allowed.</summary>
    public static IReadOnlyList<RuleViolation> ValidateModification(License license, LicenseChange change)
    {
        var errors = new List<RuleViolation>();
        if (license.Status == LicenseStatus.Uninstalled)
        {
            errors.Add(new("Status", Codes.Uninstalled,
                "This license is Uninstalled: the customer removed the package, so the license can't be edited. Ask the customer to reinstall the package."));
            return errors;
        }

        if (change.Status == LicenseStatus.Uninstalled)
            errors.Add(new("Status", Codes.StatusNotAllowed, "Status can be Trial, Active or Suspended. Uninstalled is set only when the customer uninstalls."));
        else if (change.Status == LicenseStatus.Trial && license.Status != LicenseStatus.Trial && (license.HasBeenActive || license.Status == LicenseStatus.Active))
            errors.Add(new("Status", Codes.BackToTrial, "Once a license has been Active it can't return to Trial."));

        if (change.Seats is { } seats && (seats < 1 || seats > MaxSeats))
            errors.Add(new("Seats", Codes.SeatsOutOfRange, $"Seats must be a whole number from 1 to {MaxSeats:N0}, or Site License."));

        var installDay = DateOnly.FromDateTime(license.InstallDate);
        if (change.ExpirationDate is { } expires && expires < installDay)
            errors.Add(new("ExpirationDate", Codes.ExpirationBeforeInstall, $"The expiration date can't be before the install date ({installDay:yyyy-MM-dd})."));
        else if (change.Status == LicenseStatus.Trial)
        {
            if (change.ExpirationDate is null)
                errors.Add(new("ExpirationDate", Codes.TrialNeedsExpiration, $"A Trial license must expire: enter a date at most {MaxTrialDays} days after the install date."));
            else if (change.ExpirationDate.Value > installDay.AddDays(MaxTrialDays))
                errors.Add(new("ExpirationDate", Codes.TrialTooLong,
                    $"A trial lasts at most {MaxTrialDays} days: the latest expiration date for this license is {installDay.AddDays(MaxTrialDays):yyyy-MM-dd}."));
        }
        return errors;
    }

    /// <summary>Applies a validated change. Returns warnings the user should see (not errors).</summary>
    public static IReadOnlyList<string> Apply(License license, LicenseChange change)
    {
        var problems = ValidateModification(license, change);
        if (problems.Count > 0)
            throw new InvalidOperationException("License change violates the rules: " + string.Join("; ", problems.Select(p => p.Message)));

        license.Status = change.Status;
        license.Seats = change.Seats;
        license.ExpirationDate = change.ExpirationDate;
        if (change.Status == LicenseStatus.Active) license.HasBeenActive = true;
        return WarningsFor(license);
    }

    /// <summary>Seats below Used Licenses is allowed (guide FAQ) but the customer's admin must revoke the extra users.</summary>
    public static IReadOnlyList<string> WarningsFor(License license)
    {
        var available = AvailableSeats(license);
        return available < 0
            ? [$"Seats are now below Used Licenses: available seats are {available}. Users who already have access keep it until the customer's administrator revokes {-available} of them."]
            : [];
    }

    /// <summary>Seats minus used; negative when seats were reduced below the users who hold them. Null for Site License.</summary>
    public static int? AvailableSeats(License license) =>
        license.Seats is { } seats && license.Status != LicenseStatus.Uninstalled ? seats - (license.ReportedUsedLicenses ?? 0) : null;

    /// <summary>
    /// May one more user be given a seat? Site licenses have no limit. When seats were reduced below the users who
    /// hold them (available negative), holders keep their seats but nobody new gets one until enough are revoked.
    /// </summary>
    public static RuleViolation? ValidateSeatAssignment(License license, int assignedSeats)
    {
        if (license.Status == LicenseStatus.Uninstalled)
            return new("Status", Codes.Uninstalled, "This license is Uninstalled: the customer removed the package, so no seats can be assigned.");
        if (license.Seats is { } seats && assignedSeats >= seats)
            return new("Seats", Codes.NoSeatAvailable,
                $"All {seats:N0} seats of this license are taken ({assignedSeats:N0} users hold one). Revoke a seat, or raise Licensed Seats with Modify License, before assigning another.");
        return null;
    }

    /// <summary>Checks the default license values of a package association.</summary>
    public static IReadOnlyList<RuleViolation> ValidateDefaults(LicenseDefaults defaults)
    {
        var errors = new List<RuleViolation>();
        if (!IsStartingStatus(defaults.Status))
            errors.Add(StartingStatusViolation());
        if (defaults.Seats is { } seats && (seats < 1 || seats > MaxSeats))
            errors.Add(new("Seats", Codes.SeatsOutOfRange, $"Seats must be a whole number from 1 to {MaxSeats:N0}, or Site License."));
        if (defaults.Status == LicenseStatus.Trial)
        {
            if (defaults.LengthDays is null)
                errors.Add(new("LengthDays", Codes.TrialNeedsExpiration, $"A trial must expire: enter a length from 1 to {MaxTrialDays} days."));
            else if (defaults.LengthDays is < 1 or > MaxTrialDays)
                errors.Add(new("LengthDays", Codes.TrialTooLong, $"A trial lasts from 1 to {MaxTrialDays} days."));
        }
        else if (defaults.LengthDays is { } days && (days < 1 || days > MaxLengthDays))
            errors.Add(new("LengthDays", Codes.LengthOutOfRange, $"The license length must be from 1 to {MaxLengthDays:N0} days, or Does not expire."));
        return errors;
    }

    /// <summary>Sets a license to its package's defaults as of an install (new install or reinstall): see <see cref="Lifecycle.LicenseLifecycle"/>.</summary>
    internal static void ResetToDefaults(License license, LicenseDefaults defaults, DateTime installedAt)
    {
        license.Status = defaults.Status;
        license.Seats = defaults.Seats;
        license.InstallDate = installedAt;
        license.ExpirationDate = defaults.LengthDays is { } days ? DateOnly.FromDateTime(installedAt).AddDays(days) : null;
        if (defaults.Status == LicenseStatus.Active) license.HasBeenActive = true;
    }

    /// <summary>
    /// The expiration dates a "license expires soon" rule reminds of on <paramref name="today"/>: from today through
    /// today + <paramref name="daysBefore"/>, both included. The scan passes these bounds to its statements.
    /// </summary>
    public static ExpiryWindow ExpiryWindowFor(DateOnly today, int daysBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(daysBefore);
        return new(today, today.AddDays(daysBefore));
    }

    /// <summary>An Uninstalled license is not reminded of its expiry: the customer has removed the package.</summary>
    public const LicenseStatus NotRemindedOfExpiry = LicenseStatus.Uninstalled;

    /// <summary>
    /// isCurrentUserLicensed. Trial and Active are licensed until the expiration date has passed;
    /// Suspended and Uninstalled are not. With a user and a seat count, the user must hold a seat.
    /// </summary>
    /// <param name="userHoldsSeat">null when no user was asked about.</param>
    public static LicenseCheckCode Check(LicenseStatus? status, int? seats, DateOnly? expirationDate, DateOnly today, bool? userHoldsSeat)
    {
        if (status is null) return LicenseCheckCode.NOT_FOUND;
        if (status == LicenseStatus.Uninstalled) return LicenseCheckCode.UNINSTALLED;
        if (status == LicenseStatus.Suspended) return LicenseCheckCode.SUSPENDED;
        if (expirationDate is { } expires && expires < today) return LicenseCheckCode.EXPIRED;
        if (seats is not null && userHoldsSeat == false) return LicenseCheckCode.NO_SEAT;
        return LicenseCheckCode.OK;
    }
}

/// <summary>The expiration dates, From through To, that an expiry reminder covers on one day. See <see cref="LicenseRules.ExpiryWindowFor"/>.</summary>
public sealed record ExpiryWindow(DateOnly From, DateOnly To)
{
    public IEnumerable<DateOnly> Days
    {
        get
        {
            for (var day = From; day <= To; day = day.AddDays(1)) yield return day;
        }
    }

    /// <summary>Whether the scan reminds of this license: it expires inside the window and is not Uninstalled.</summary>
    public bool Contains(License license) =>
        license.ExpirationDate is { } expires && expires >= From && expires <= To && license.Status != LicenseRules.NotRemindedOfExpiry;
}
