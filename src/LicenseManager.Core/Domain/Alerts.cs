namespace LicenseManager.Core.Domain;

/// <summary>What makes an alert rule fire (guide, "Integrate the LMA into Your Business Processes").</summary>
public enum AlertTrigger
{
    /// <summary>N days before the expiration date (Uninstalled licenses are skipped).</summary>
    LicenseExpiresSoon = 0,
    LicenseUninstalled = 1,
    /// <summary>Status changed to Active.</summary>
    LicenseActivated = 2,
    /// <summary>Status changed to Suspended.</summary>
    LicenseSuspended = 3,
}

/// <summary>An administrator's rule: when a license does something, email these people with this template.</summary>
public class AlertRule : AuditedEntity
{
    /// <summary>Set on the rules the LMA ships (seeded once, disabled); null for rules administrators create.</summary>
    public string? DefaultKey { get; set; }
    public string Name { get; set; } = "";
    public AlertTrigger Trigger { get; set; }
    /// <summary>For <see cref="AlertTrigger.LicenseExpiresSoon"/>: how many days before the expiration date.</summary>
    public int? DaysBefore { get; set; }
    /// <summary>Only licenses of this package; null for every package.</summary>
    public long? PackageKey { get; set; }
    public Package? Package { get; set; }
    public long TemplateKey { get; set; }
    public EmailTemplate Template { get; set; } = null!;
    public bool IsEnabled { get; set; }

    /// <summary>Everyone in these roles (names from <see cref="Roles"/>), separated by <see cref="RoleSeparator"/>.</summary>
    public string RecipientRoles { get; set; } = "";
    /// <summary>The owner of the license's lead (the package's lead manager at install time).</summary>
    public bool NotifyLeadOwner { get; set; }
    public List<AlertRuleRecipient> Recipients { get; set; } = [];

    public const char RoleSeparator = '|';

    public IReadOnlyList<string> Roles
    {
        get => RecipientRoles.Split(RoleSeparator, StringSplitOptions.RemoveEmptyEntries);
        set => RecipientRoles = string.Join(RoleSeparator, value.Distinct());
    }

    /// <summary>The license status a status-change rule fires on; null for the expiry rule.</summary>
    public static LicenseStatus? StatusOf(AlertTrigger trigger) => trigger switch
    {
        AlertTrigger.LicenseUninstalled => LicenseStatus.Uninstalled,
        AlertTrigger.LicenseActivated => LicenseStatus.Active,
        AlertTrigger.LicenseSuspended => LicenseStatus.Suspended,
        _ => null,
    };

    public static AlertTrigger? TriggerFor(LicenseStatus status) => status switch
    {
        LicenseStatus.Uninstalled => AlertTrigger.LicenseUninstalled,
        LicenseStatus.Active => AlertTrigger.LicenseActivated,
        LicenseStatus.Suspended => AlertTrigger.LicenseSuspended,
        _ => null,
    };
}

/// <summary>A named user who receives a rule's alerts.</summary>
public class AlertRuleRecipient
{
    public long Id { get; set; }
    public long RuleKey { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser? User { get; set; }
}

/// <summary>Subject and plain-text body with {{placeholders}}, edited in the app.</summary>
public class EmailTemplate : AuditedEntity
{
    public string? DefaultKey { get; set; }
    public string Name { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
}

/// <summary>
/// A license status change waiting to be matched against alert rules. Written by the DbContext in the same
/// SaveChanges as the change itself; turned into <see cref="EmailMessage"/> rows (and deleted) in the background.
/// </summary>
public class LicenseStatusChange
{
    public long Id { get; set; }
    public long LicenseKey { get; set; }
    public LicenseStatus FromStatus { get; set; }
    public LicenseStatus ToStatus { get; set; }
    public DateTime ChangedAt { get; set; }
}

public enum EmailStatus
{
    /// <summary>Waiting for its first attempt.</summary>
    Queued = 0,
    /// <summary>An attempt failed; another is scheduled (NextAttemptAt).</summary>
    Retrying = 1,
    Sent = 2,
    /// <summary>Every attempt failed; an administrator may resend it.</summary>
    Failed = 3,
    /// <summary>Nobody to send to (no active recipient with an email address, or the license is gone).</summary>
    Skipped = 4,
}

/// <summary>
/// The outbox: one email per (rule, license, occurrence), unique, so a trigger seen twice queues it once.
/// Subject, body and recipients are rendered at the first attempt and kept, so the log shows what was sent.
/// </summary>
public class EmailMessage : AuditedEntity
{
    public long RuleKey { get; set; }
    public AlertRule? Rule { get; set; }
    /// <summary>Not a foreign key: the log outlives a deleted license.</summary>
    public long LicenseKey { get; set; }
    /// <summary>Which occurrence: "expires 2027-01-31" or "status-change 42".</summary>
    public string OccurrenceKey { get; set; } = "";

    public EmailStatus Status { get; set; }
    public string? Recipients { get; set; }
    public string? Subject { get; set; }
    public string? Body { get; set; }
    public DateTime? RenderedAt { get; set; }

    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>Where it went: "smtp host:port" or the .eml file name.</summary>
    public string? DeliveredVia { get; set; }

    /// <summary>The node sending it, until <see cref="ClaimedUntil"/>: several nodes never send the same row at once.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public static string ExpiryOccurrence(DateOnly expirationDate) =>
        "expires " + expirationDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    public static string StatusChangeOccurrence(long statusChangeId) =>
        "status-change " + statusChangeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One delivery attempt and its outcome (the SMTP error when it failed).</summary>
public class EmailDeliveryAttempt
{
    public long Id { get; set; }
    public long MessageKey { get; set; }
    public DateTime AttemptedAt { get; set; }
    public bool Succeeded { get; set; }
    public string? Error { get; set; }
}
