namespace LicenseManager.Core.Domain;

/// <summary>
/// A managed package uploaded to the distribution platform. Created and updated only by install events
/// (package-version-uploaded); people only associate it, set its defaults and its lead manager.
/// </summary>
public class Package : AuditedEntity, IVersioned
{
    /// <summary>Package ID: the 18-character id of the package.</summary>
    public string PackageId { get; set; } = "";
    public string Name { get; set; } = "";
    public string DeveloperName { get; set; } = "";
    /// <summary>Developer Org ID: 18 characters.</summary>
    public string DeveloperOrgId { get; set; } = "";
    /// <summary>Latest Version: the version number of the most recent non-beta version (or beta if there is no other).</summary>
    public string? LatestVersion { get; set; }
    public DateOnly? ReleaseDate { get; set; }

    /// <summary>Lead Manager: owner of new leads. Null means the LMA owns them.</summary>
    public string? LeadManagerId { get; set; }
    public ApplicationUser? LeadManager { get; set; }

    /// <summary>Guide step 2: only associated packages turn installs into leads and licenses.</summary>
    public bool IsAssociated { get; set; }
    public DateTime? AssociatedAt { get; set; }
    public LicenseStatus DefaultStatus { get; set; } = LicenseDefaults.Standard.Status;
    public int? DefaultSeats { get; set; } = LicenseDefaults.Standard.Seats;
    public int? DefaultLengthDays { get; set; } = LicenseDefaults.Standard.LengthDays;

    public LicenseDefaults Defaults
    {
        get => new(DefaultStatus, DefaultSeats, DefaultLengthDays);
        set => (DefaultStatus, DefaultSeats, DefaultLengthDays) = (value.Status, value.Seats, value.LengthDays);
    }

    public DateTime? LastLicenseRefreshAt { get; set; }

    public int Version { get; set; }

    public List<PackageVersion> Versions { get; set; } = [];
}

/// <summary>
/// Default license values set when a package is associated (guide step 2). Trial lasts at most 90 days.
/// </summary>
/// <param name="Status">Trial or Active.</param>
/// <param name="Seats">A number of seats, or null for Site License.</param>
/// <param name="LengthDays">Days after install until expiration, or null for Does not expire (not allowed for Trial).</param>
public sealed record LicenseDefaults(LicenseStatus Status, int? Seats, int? LengthDays)
{
    public static readonly LicenseDefaults Standard = new(LicenseStatus.Trial, null, LicenseRules.MaxTrialDays);
}
