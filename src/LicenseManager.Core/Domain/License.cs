namespace LicenseManager.Core.Domain;

/// <summary>
/// A subscriber org's license to a package. At most one per (package, subscriber org).
/// Changed only through Core: <see cref="LicenseRules"/> (Modify License) and <see cref="Lifecycle.LicenseLifecycle"/>
/// (the install processor, Refresh Licenses, seat assignment). Its setters are internal so nothing outside Core can
/// change a license behind those rules; EF sets them when it reads a row.
/// </summary>
public class License : AuditedEntity, IVersioned
{
    /// <summary>License Name: a number incremented by one for each new license (the identity value).</summary>
    public long Name => Id;

    public long PackageKey { get; internal set; }
    public Package Package { get; internal set; } = null!;
    public long PackageVersionKey { get; internal set; }
    public PackageVersion PackageVersion { get; internal set; } = null!;
    public string PackageVersionNumber { get; internal set; } = "";

    public LicenseStatus Status { get; internal set; }
    /// <summary>True once the license has been Active: it can never return to Trial.</summary>
    public bool HasBeenActive { get; internal set; }
    /// <summary>Licensed Seats; null means Site License.</summary>
    public int? Seats { get; internal set; }
    /// <summary>Expiration Date; null means Does not expire.</summary>
    public DateOnly? ExpirationDate { get; internal set; }
    public DateTime InstallDate { get; internal set; }

    /// <summary>Subscriber Org ID: 15 characters.</summary>
    public string SubscriberOrgId { get; internal set; } = "";
    public string OrgName { get; internal set; } = "";
    public string? Instance { get; internal set; }
    public string? OrgEdition { get; internal set; }
    public OrgStatus OrgStatus { get; internal set; }
    public DateOnly? OrgExpirationDate { get; internal set; }
    public bool IsSandbox { get; internal set; }

    /// <summary>Used Licenses as the org last reported it (org-update events). See <see cref="UsedLicensesShown"/>.</summary>
    public int? ReportedUsedLicenses { get; internal set; }
    public DateTime? InformationCurrentAsOf { get; internal set; }
    /// <summary>
    /// True once the ISV's app assigns seats through the seat API: Used Licenses is then the number of assigned seats
    /// (kept in <see cref="ReportedUsedLicenses"/> by the seat API) and org-update events no longer overwrite it.
    /// </summary>
    public bool SeatsAssignedByApi { get; internal set; }
    /// <summary>When the latest platform event applied to this license happened: older events arriving late don't undo newer ones.</summary>
    public DateTime? LastEventAt { get; internal set; }

    public long? LeadKey { get; internal set; }
    public Lead? Lead { get; internal set; }
    public long? AccountKey { get; internal set; }
    public Account? Account { get; internal set; }
    public long? ContactKey { get; internal set; }
    public Contact? Contact { get; internal set; }

    public int Version { get; set; }

    /// <summary>Used Licenses as the guide shows it: blank when uninstalled or when seats are Site License.</summary>
    public int? UsedLicensesShown => UsedLicensesShownFor(Status, Seats, ReportedUsedLicenses);

    /// <summary>License Type: whether the license can be edited.</summary>
    public bool IsEditable => Status != LicenseStatus.Uninstalled;

    /// <summary>Used Licenses as the guide shows it, for a license read as loose columns (the check API's projection).</summary>
    public static int? UsedLicensesShownFor(LicenseStatus status, int? seats, int? reportedUsedLicenses) =>
        status == LicenseStatus.Uninstalled || seats is null ? null : reportedUsedLicenses ?? 0;

    /// <summary>The lead the org's install created: given once, to a license the processor has just created.</summary>
    public void AttachLead(Lead lead)
    {
        if (LeadKey is not null || Lead is not null) throw new InvalidOperationException($"License {Id} already has its lead.");
        Lead = lead;
    }

    /// <summary>Lead conversion: the license now belongs to the account and contact the lead became.</summary>
    public void LinkToCustomer(Account account, Contact contact)
    {
        Account = account;
        Contact = contact;
    }

    /// <summary>
    /// A license restored as it was (Move the LMA's import): written as the export recorded it, not replayed through
    /// the lifecycle, so what users changed by hand survives the move.
    /// </summary>
    public static License Restore(LicenseRestore r) => new()
    {
        Id = r.Id, PackageKey = r.PackageKey, PackageVersionKey = r.PackageVersionKey, PackageVersionNumber = r.PackageVersionNumber,
        Status = r.Status, HasBeenActive = r.HasBeenActive, Seats = r.Seats, ExpirationDate = r.ExpirationDate, InstallDate = r.InstallDate,
        SubscriberOrgId = r.SubscriberOrgId, OrgName = r.OrgName, Instance = r.Instance, OrgEdition = r.OrgEdition, OrgStatus = r.OrgStatus,
        OrgExpirationDate = r.OrgExpirationDate, IsSandbox = r.IsSandbox, ReportedUsedLicenses = r.ReportedUsedLicenses,
        InformationCurrentAsOf = r.InformationCurrentAsOf, SeatsAssignedByApi = r.SeatsAssignedByApi, LastEventAt = r.LastEventAt,
        LeadKey = r.LeadKey, AccountKey = r.AccountKey, ContactKey = r.ContactKey, Version = r.Version,
    };

    /// <summary>A detached copy to replay the log on (Refresh Licenses): what the log says, compared with the license afterwards.</summary>
    internal License CopyForReplay()
    {
        var copy = (License)MemberwiseClone();
        copy.LastEventAt = null;
        copy.InformationCurrentAsOf = null;
        return copy;
    }
}

/// <summary>Every stored field of a license, for <see cref="License.Restore"/>.</summary>
public sealed record LicenseRestore
{
    public long Id { get; init; }
    public long PackageKey { get; init; }
    public long PackageVersionKey { get; init; }
    public string PackageVersionNumber { get; init; } = "";
    public LicenseStatus Status { get; init; }
    public bool HasBeenActive { get; init; }
    public int? Seats { get; init; }
    public DateOnly? ExpirationDate { get; init; }
    public DateTime InstallDate { get; init; }
    public string SubscriberOrgId { get; init; } = "";
    public string OrgName { get; init; } = "";
    public string? Instance { get; init; }
    public string? OrgEdition { get; init; }
    public OrgStatus OrgStatus { get; init; }
    public DateOnly? OrgExpirationDate { get; init; }
    public bool IsSandbox { get; init; }
    public int? ReportedUsedLicenses { get; init; }
    public DateTime? InformationCurrentAsOf { get; init; }
    public bool SeatsAssignedByApi { get; init; }
    public DateTime? LastEventAt { get; init; }
    public long? LeadKey { get; init; }
    public long? AccountKey { get; init; }
    public long? ContactKey { get; init; }
    public int Version { get; init; }
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
