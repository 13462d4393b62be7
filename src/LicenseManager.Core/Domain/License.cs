namespace LicenseManager.Core.Domain;

/// <summary>
/// A subscriber org's license to a package. At most one per (package, subscriber org).
/// Changed only through <see cref="LicenseRules"/> (Modify License, the install processor).
/// </summary>
public class License : AuditedEntity, IVersioned
{
    /// <summary>License Name: a number incremented by one for each new license (the identity value).</summary>
    public long Name => Id;

    public long PackageKey { get; set; }
    public Package Package { get; set; } = null!;
    public long PackageVersionKey { get; set; }
    public PackageVersion PackageVersion { get; set; } = null!;
    public string PackageVersionNumber { get; set; } = "";

    public LicenseStatus Status { get; set; }
    /// <summary>True once the license has been Active: it can never return to Trial.</summary>
    public bool HasBeenActive { get; set; }
    /// <summary>Licensed Seats; null means Site License.</summary>
    public int? Seats { get; set; }
    /// <summary>Expiration Date; null means Does not expire.</summary>
    public DateOnly? ExpirationDate { get; set; }
    public DateTime InstallDate { get; set; }

    /// <summary>Subscriber Org ID: 15 characters.</summary>
    public string SubscriberOrgId { get; set; } = "";
    public string OrgName { get; set; } = "";
    public string? Instance { get; set; }
    public string? OrgEdition { get; set; }
    public OrgStatus OrgStatus { get; set; }
    public DateOnly? OrgExpirationDate { get; set; }
    public bool IsSandbox { get; set; }

    /// <summary>Used Licenses as the org last reported it (org-update events). See <see cref="UsedLicensesShown"/>.</summary>
    public int? ReportedUsedLicenses { get; set; }
    public DateTime? InformationCurrentAsOf { get; set; }
    /// <summary>
    /// True once the ISV's app assigns seats through the seat API: Used Licenses is then the number of assigned seats
    /// (kept in <see cref="ReportedUsedLicenses"/> by the seat API) and org-update events no longer overwrite it.
    /// </summary>
    public bool SeatsAssignedByApi { get; set; }
    /// <summary>When the latest platform event applied to this license happened: older events arriving late don't undo newer ones.</summary>
    public DateTime? LastEventAt { get; set; }

    public long? LeadKey { get; set; }
    public Lead? Lead { get; set; }
    public long? AccountKey { get; set; }
    public Account? Account { get; set; }
    public long? ContactKey { get; set; }
    public Contact? Contact { get; set; }

    public int Version { get; set; }

    /// <summary>Used Licenses as the guide shows it: blank when uninstalled or when seats are Site License.</summary>
    public int? UsedLicensesShown => Status == LicenseStatus.Uninstalled || Seats is null ? null : ReportedUsedLicenses ?? 0;

    /// <summary>License Type: whether the license can be edited.</summary>
    public bool IsEditable => Status != LicenseStatus.Uninstalled;
}

/// <summary>One changed field of a license: who changed what, from what to what, when.</summary>
public class LicenseFieldChange
{
    public long Id { get; set; }
    public long LicenseKey { get; set; }
    public DateTime ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";
    public string Field { get; set; } = "";
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
}
