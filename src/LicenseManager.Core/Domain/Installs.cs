namespace LicenseManager.Core.Domain;

public enum InstallEventType
{
    PackageVersionUploaded = 0,
    Install = 1,
    Upgrade = 2,
    Uninstall = 3,
    OrgUpdate = 4,
}

public enum InstallEventState
{
    /// <summary>Stored, waiting for the processor.</summary>
    Pending = 0,
    /// <summary>Applied to packages, leads and licenses.</summary>
    Done = 1,
    /// <summary>Could not be applied yet; waits visibly with its reason until retried or refreshed.</summary>
    Held = 2,
}

/// <summary>
/// The installation log: one row per accepted platform event, unique by the sender's event id.
/// The source of truth for what the platform said; licenses are derived from it and Refresh Licenses replays it.
/// </summary>
public class InstallEvent
{
    public long Id { get; set; }
    public string EventId { get; set; } = "";
    public InstallEventType Type { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    /// <summary>The event's JSON body as received.</summary>
    public string Payload { get; set; } = "";
    public string? PackageVersionId { get; set; }
    public string? OrgId { get; set; }
    /// <summary>The package the event belongs to, once known (set on receipt when the version is known, else by the processor).</summary>
    public long? PackageKey { get; set; }
    public Package? Package { get; set; }

    public InstallEventState State { get; set; }
    public string? HoldCode { get; set; }
    public string? HoldReason { get; set; }
    public int Attempts { get; set; }
    public DateTime? ProcessedAt { get; set; }
    public long? LicenseKey { get; set; }
    public License? License { get; set; }
}

public static class HoldCodes
{
    public const string PackageNotAssociated = "package_not_associated";
    public const string LeadManagerInactive = "lead_manager_inactive";
    public const string UnknownPackageVersion = "unknown_package_version";
    public const string UnknownLicense = "unknown_license";
    public const string WaitingForEarlierEvent = "waiting_for_earlier_event";
    public const string Failed = "processing_failed";
    /// <summary>Marks the (done) events of a license an administrator deleted, so a refresh doesn't rebuild it.</summary>
    public const string LicenseDeleted = "license_deleted";
}

public enum RefreshState
{
    Queued = 0,
    Running = 1,
    Done = 2,
    Failed = 3,
}

/// <summary>One run of Refresh Licenses for a package, with what it changed.</summary>
public class LicenseRefresh
{
    public long Id { get; set; }
    public long PackageKey { get; set; }
    public DateTime RequestedAt { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public RefreshState State { get; set; }
    public int EventsReplayed { get; set; }
    public int LicensesCreated { get; set; }
    public int LicensesUpdated { get; set; }
    /// <summary>Which licenses changed and how, one line each (capped).</summary>
    public string? Details { get; set; }
    public string? Error { get; set; }
}
